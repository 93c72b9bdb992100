"""The class list: `lms roster CSV --out COURSE`.

The roster CSV has a header row with the columns id, name, email (in any order); optional
columns lms_id (the LMS's own number for the learner: Canvas's user ID, Moodle's participant
number), sis_id, login and section are kept for the grade files an LMS imports. Any other column,
a missing column, an empty or repeated id is an error. The learners go into the course folder's
nbgrader gradebook (first and last name, email, lms_user_id) and the roster is kept, normalised,
as COURSE/roster.csv: what `lms collect` maps LMS names to and `lms export` writes grades for.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

REQUIRED = ("id", "name", "email")
OPTIONAL = ("lms_id", "sis_id", "login", "section")
ROSTER = "roster.csv"
# Particles that belong to the last name: "Ludwig van Beethoven" -> "Ludwig", "van Beethoven".
PARTICLES = {"van", "von", "de", "der", "den", "da", "das", "del", "della", "di", "du", "dos", "la", "le",
             "ter", "ten", "bin", "ibn", "al", "st."}
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")  # a folder name nbgrader and a shell take as is


@dataclass(frozen=True)
class Learner:
    id: str
    name: str
    email: str
    lms_id: str = ""
    sis_id: str = ""
    login: str = ""
    section: str = ""

    @property
    def first_last(self):
        return split_name(self.name)

    def keys(self):
        """The spellings an LMS may use for this learner, as `name_key` writes them."""
        first, last = self.first_last
        words = self.name.replace(",", " ").split()
        found = {name_key(self.name), name_key(f"{first} {last}"), name_key(f"{last} {first}"),
                 name_key(" ".join(words[-1:] + words[:-1])),  # Canvas's sortable name: "Beethoven, Ludwig van"
                 name_key(self.id), name_key(self.email), name_key(self.email.split("@")[0])}
        if self.login:
            found.add(name_key(self.login))
        found.discard("")
        return found


def split_name(name):
    """(first, last): "Doe, Jane" and "Jane Doe" give ("Jane", "Doe"); "Ludwig van Beethoven"
    gives ("Ludwig", "van Beethoven"); a single word is a first name ("Plato", "")."""
    name = " ".join(name.split())
    if "," in name:
        last, first = (part.strip() for part in name.split(",", 1))
        return first, last
    words = name.split(" ")
    if len(words) == 1:
        return name, ""
    start = len(words) - 1
    while start > 1 and words[start - 1].lower() in PARTICLES:
        start -= 1
    return " ".join(words[:start]), " ".join(words[start:])


def name_key(text):
    """A name as compared across LMS spellings: accents dropped, letters and digits only,
    lower case ("Doe, Jane" and Canvas's "doejane" give "doejane")."""
    plain = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in plain if ch.isalnum() and not unicodedata.combining(ch)).lower()


def read(path, who="lms roster"):
    """The learners of a roster CSV; SystemExit with the reason for anything else."""
    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"{who}: {path} is not a file")
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SystemExit(f"{who}: {path} is not UTF-8 text (save it from the spreadsheet as CSV UTF-8)") from None
    rows = list(csv.reader(text.splitlines()))
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise SystemExit(f"{who}: {path} is empty; it needs a header row: id,name,email")
    header = [cell.strip().lower() for cell in rows[0]]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        hint = " (the first row must be the header, not a learner)" if "@" in ",".join(rows[0]) else ""
        raise SystemExit(f"{who}: {path} has no column {', '.join(missing)}{hint}; the header must name "
                         f"id, name, email (optional: {', '.join(OPTIONAL)}); it has: {', '.join(header)}")
    unknown = [c for c in header if c not in REQUIRED + OPTIONAL]
    if unknown or len(set(header)) != len(header):
        what = f"unknown column {', '.join(unknown)}" if unknown else "a column named twice"
        raise SystemExit(f"{who}: {path} has {what}; the columns are id, name, email "
                         f"and optionally {', '.join(OPTIONAL)}")
    learners, seen = [], set()
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise SystemExit(f"{who}: {path} line {number} has {len(row)} fields, the header {len(header)}")
        values = {c: cell.strip() for c, cell in zip(header, row)}
        for column in REQUIRED:
            if not values[column]:
                raise SystemExit(f"{who}: {path} line {number}: empty {column}")
        if not STUDENT_ID.match(values["id"]):
            raise SystemExit(f"{who}: {path} line {number}: id {values['id']!r} is not usable as a folder "
                             "name (letters, digits, . _ @ - only, no spaces)")
        if "@" not in values["email"]:
            raise SystemExit(f"{who}: {path} line {number}: {values['email']!r} is not an email address")
        if values["id"] in seen:
            raise SystemExit(f"{who}: {path} line {number}: id {values['id']} appears twice")
        seen.add(values["id"])
        learners.append(Learner(**values))
    if not learners:
        raise SystemExit(f"{who}: {path} has a header but no learners")
    return learners


def csv_rows(path, needed, refusal):
    """The rows of a CSV file that has the columns `needed` (a byte-order mark allowed);
    SystemExit(refusal(missing columns)) when it has not."""
    with open(path, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in needed if c not in (reader.fieldnames or [])]
        if missing:
            raise SystemExit(refusal(missing))
        return list(reader)


def write(learners, path):
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(REQUIRED + OPTIONAL)
        for learner in learners:
            writer.writerow([getattr(learner, c) for c in REQUIRED + OPTIONAL])


def load(out, who="lms"):
    """The course folder's roster (COURSE/roster.csv); SystemExit if `lms roster` never ran."""
    path = Path(out) / ROSTER
    if not path.exists():
        raise SystemExit(f"{who}: no roster in {out}: run `python -m autograder lms roster CSV --out {out}` first")
    return read(path, who)


def gradebook_url(out):
    """The course folder's gradebook: the db_url the grade command wrote into its
    nbgrader_config.py (grade --db), else COURSE/gradebook.db."""
    from autograder.grading.course_folder import db_url

    return db_url(out) or f"sqlite:///{Path(out) / 'gradebook.db'}"


def course_id():
    from autograder.grading.pipelines import course_config

    return course_config("/nonexistent", "/nonexistent.db").CourseDirectory.course_id


def import_roster(csv_path, out):
    """Read the roster, put its learners into the gradebook, keep it as COURSE/roster.csv."""
    import os

    from nbgrader.api import Gradebook

    from autograder import notebooks

    learners = read(csv_path)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    os.environ["PATH"] = notebooks.nbgrader_env()["PATH"]  # nbgrader runs alembic for a new gradebook
    with Gradebook(gradebook_url(out), course_id()) as gb:
        for learner in learners:
            first, last = learner.first_last
            gb.update_or_create_student(learner.id, first_name=first, last_name=last or None,
                                        email=learner.email, lms_user_id=learner.lms_id or None)
    write(learners, out / ROSTER)
    return learners
