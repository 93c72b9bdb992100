"""`lms collect DOWNLOAD --lms canvas|moodle --out COURSE`: an LMS's submission download into
nbgrader's submitted/ folder, through nbgrader's own zip_collect.

The download (the zip the LMS gives, or the folder it unpacks to) is copied to
COURSE/downloaded/<assignment>/archive/, nbgrader's zip_collect layout; zip_collect extracts it
to .../extracted/ and copies every notebook to submitted/<roster id>/<assignment>/. The settings
it runs with are written to COURSE/downloaded/<assignment>/zip_collect_config.py (not to the
course folder's nbgrader_config.py, which stays the grade command's). Its collector plugin
(`RosterCollector`) reads the LMS's file names with the LMS's pattern and maps the learner to
the roster: by the LMS's number for the learner (roster column lms_id), else by name, login or
email. What it could not place (a learner not on the roster, a file no pattern matches, a file
that is not a notebook, an older copy of a resubmitted notebook) is listed, and kept with the
LMS's late mark in COURSE/downloaded/<assignment>/lms.json. So is what it refuses: a file out of
an archive inside the download (zip_collect unpacks a zip a learner uploaded, and a file in it
can be named for anyone), and a file in one learner's Moodle folder named for another. A
timestamp.txt that a learner's folder had and the collect removed or changed is named.

File names (`PATTERNS`):

- Canvas ("Download Submissions"): `<sortable name>_[LATE_]<user id>_<file id>_<file name>`,
  e.g. `doejane_LATE_4242_90817_01_neuron_exercise-1.ipynb`: the sortable name ("Doe, Jane")
  lower case without punctuation, LATE when Canvas counts the submission late, Canvas's user
  and file numbers, then the learner's file name, with `-1`, `-2` added by Canvas when the
  learner uploaded a file of that name before (a resubmission).
- Moodle ("Download all submissions"): a folder `<Full Name>_<participant>_assignsubmission_file`
  per learner holding the files (Moodle before 4.1 ends the folder name with `_`), or, with
  "download submissions in folders" off, files named
  `<Full Name>_<participant>_assignsubmission_file_<file name>`.

Neither download says when a learner handed in. Moodle's grading worksheet does (`--worksheet`:
its "Last modified (submission)" column, read in `--timezone`): the collector hands the time to
zip_collect, which writes it to the learner's timestamp.txt, so nbgrader's due date and late
penalty apply; the worksheet's email address also matches learners to the roster. Canvas gives
no time: its LATE mark is kept in lms.json and shown by this command and by `grade --dry-run`
(docs/lms.md says what to do about it).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path

from nbgrader.plugins import FileNameCollectorPlugin
from traitlets import Unicode

from autograder import notebooks
from autograder.grading.outcomes import plural
from autograder.lms import roster as rosters

PATTERNS = {
    "canvas": (r"(?:.*/)?(?P<lms_name>[^/]+?)_(?:(?P<late>LATE|late)_)?(?P<lms_id>\d+)_(?P<file_number>\d+)_"
               r"(?P<file_id>[^/]+?)(?P<ext>\.ipynb)$"),
    "moodle": (r"(?:.*/)?(?P<lms_name>[^/]+?)_(?P<lms_id>\d+)_assignsubmission_file(?:_/?|/)(?:[^/]+/)*?"
               r"(?P<file_id>[^/]+?)(?P<ext>\.ipynb)$"),
}
# What a learner's entry looks like, notebook or not: to tell "not a notebook" from "not the LMS's".
ENTRY = {
    "canvas": re.compile(r"(?:.*/)?[^/]+?_(?:(?:LATE|late)_)?\d+_[^/]+$"),
    "moodle": re.compile(r"(?:.*/)?[^/]+?_\d+_assign(?:submission|feedback)_[a-z]+[_/]"),
}
# A learner's own folder in Moodle's download (Canvas's entries are files): a file is collected only
# for the learner whose folder it sits in, or, outside any such folder, whose name it has.
FOLDER_ENTRY = {"moodle": re.compile(r"(?P<lms_name>.+?)_(?P<lms_id>\d+)_assign(?:submission|feedback)_[a-z]+"
                                     r"(?:_.*)?$")}
ARCHIVES = (".tar.gz", ".zip", ".gz")  # what nbgrader's extractor unpacks (ExtractorPlugin.zip_ext)
SHAPES = {"canvas": "name_[LATE_]userid_fileid_file.ipynb",
          "moodle": "Full Name_12345_assignsubmission_file_/file.ipynb"}
COPY = re.compile(r"^(?P<stem>.+?)-(?P<n>\d+)$")  # Canvas's "-1" on a file name uploaded again
MANIFEST = "lms.json"


class RosterCollector(FileNameCollectorPlugin):
    """nbgrader zip_collect's collector for an LMS download: the LMS's file names read with
    `named_regexp`, the learner mapped to a roster id. `prepare` decides for all files at once
    (a resubmitted notebook's latest copy wins); `collect` hands zip_collect the decision.

    zip_collect's extractor also unpacks archives inside the download (a zip a learner uploaded):
    their files are never collected, since a learner can name a file inside one for anyone. Only
    the download's own files (`direct`, under `root`, the download's folder in `extracted`) are."""

    lms = Unicode("canvas", help="the LMS whose file names these are: canvas or moodle").tag(config=True)
    roster = Unicode("", help="the course folder's roster.csv").tag(config=True)
    expected = Unicode("", help="the assignment's released notebook names, comma separated").tag(config=True)
    worksheet = Unicode("", help="Moodle's grading worksheet (CSV): each participant's submission time").tag(
        config=True)
    timezone = Unicode("", help="the time zone of the worksheet's times (default: this machine's)").tag(config=True)

    def prepare(self, files):
        learners = rosters.read(self.roster, "lms collect")
        by_lms_id = {x.lms_id: x.id for x in learners if x.lms_id}
        by_email = {x.email.lower(): x.id for x in learners}
        sheet = read_worksheet(self.worksheet, self.timezone) if self.worksheet else {}
        by_key = {}
        for learner in learners:
            for key in learner.keys():
                by_key.setdefault(key, set()).add(learner.id)
        expected = set(filter(None, self.expected.split(",")))
        self.decided, self.learners, self.unknown = {}, {}, {}
        self.unmatched, self.not_notebooks, self.superseded, self.misplaced = [], [], [], []
        self.from_archives = {}
        best = {}
        for path in files:
            rel = os.path.relpath(path, self.extracted)
            if path not in self.direct:
                self.from_archives.setdefault(archive_of(os.path.relpath(path, self.root), self.names),
                                              []).append(rel)
                continue
            found = re.match(self.named_regexp, path)
            if not found:
                (self.not_notebooks if ENTRY[self.lms].match(path) else self.unmatched).append(rel)
                continue
            info = found.groupdict()
            owner = self.owner(path) or info
            if (owner["lms_name"], owner["lms_id"]) != (info["lms_name"], info["lms_id"]):
                self.misplaced.append([rel, f"in the folder of {owner['lms_name']} ({owner['lms_id']}), "
                                            f"named for {info['lms_name']} ({info['lms_id']})"])
                continue
            handed = sheet.get(info["lms_id"])
            ids = ({by_lms_id[info["lms_id"]]} if info["lms_id"] in by_lms_id
                   else {by_email[handed.email]} if handed and handed.email in by_email
                   else by_key.get(rosters.name_key(info["lms_name"]), set()))
            if len(ids) != 1:
                label = f"{info['lms_name']} ({info['lms_id']})"
                note = f"matches {', '.join(sorted(ids))}" if ids else "not on the roster"
                self.unknown.setdefault(label, {"why": note, "files": []})["files"].append(rel)
                continue
            (student,) = ids
            name = info["file_id"]
            copy = COPY.match(name)
            if name not in expected and copy and copy["stem"] in expected:
                name, number = copy["stem"], int(copy["n"])
            else:
                number = 0
            order = (number, int(info.get("file_number") or 0), rel)
            key = (student, name)
            if key in best:
                loser = min(best[key], (order, path))
                self.superseded.append(os.path.relpath(loser[1], self.extracted))
                if loser[1] == path:
                    continue
                del self.decided[loser[1]]
            best[key] = (order, path)
            self.decided[path] = {"student_id": student, "file_id": name + info["ext"],
                                  "lms_file": info.get("file_number")}  # zip_collect reads only the first two
            if handed and handed.when:  # zip_collect writes it to the learner's timestamp.txt
                self.decided[path]["timestamp"] = handed.when
            record = self.learners.setdefault(student, {"lms_name": info["lms_name"], "lms_id": info["lms_id"],
                                                        "late": False, "submitted_at": None, "files": []})
            record["late"] = record["late"] or bool(info.get("late")) or bool(handed and handed.late)
            record["submitted_at"] = handed.when if handed else None
        for path, decided in self.decided.items():
            self.learners[decided["student_id"]]["files"].append(
                [os.path.relpath(path, self.extracted), decided["file_id"], decided.get("lms_file")])

    def owner(self, path):
        """The learner whose folder in the download holds `path` (the outermost such folder), or None."""
        entry = FOLDER_ENTRY.get(self.lms)
        folders = Path(os.path.relpath(path, self.root)).parts[:-1]
        return next((m for m in map(entry.match, folders) if m), None) if entry else None

    def collect(self, submitted_file):
        return self.decided.get(submitted_file)


def unpacked_folder(name):
    """The folder nbgrader's extractor unpacks archive `name` into (ExtractorPlugin.extract)."""
    stem = os.path.splitext(name)[0]
    return os.path.splitext(stem)[0] if stem.endswith(".tar") else stem


def archive_of(rel, names):
    """The archive in the download (one of `names`) that the extracted file `rel` came out of:
    the outermost one, or "" when none is known (a file an archive's content replaced)."""
    parts = Path(rel).parts
    for i in range(1, len(parts)):
        folder = "/".join(parts[:i])
        found = [folder + ext for ext in ARCHIVES if folder + ext in names]
        if found:
            return found[0]
    return ""


def direct_files(download, root, names):
    """The extracted files (absolute paths under `root`) that are the download's own entries,
    as the download holds them: not a file out of an archive inside it, nor one such a file
    replaced."""
    import filecmp
    import zlib

    root = os.path.normpath(root)
    wanted = {}
    for name in names:
        path = os.path.normpath(os.path.join(root, name))
        if path.startswith(root + os.sep) and os.path.isfile(path):
            wanted[name] = path
    if download.is_dir():
        return {path for name, path in wanted.items() if filecmp.cmp(download / name, path, shallow=False)}
    with zipfile.ZipFile(download) as zf:
        return {path for name, path in wanted.items()
                if zlib.crc32(Path(path).read_bytes()) == zf.getinfo(name).CRC}


@dataclass(frozen=True)
class Handed:
    """One participant's row of Moodle's grading worksheet: email, when (UTC, as zip_collect
    takes a timestamp), whether Moodle counts it late."""

    email: str
    when: str | None
    late: bool


WORKSHEET = ("Identifier", "Last modified (submission)")
PARTICIPANT = re.compile(r"^\D*(\d+)$")  # "Participant 12345" (the word is translated)


def read_worksheet(path, timezone=""):
    """{participant number: Handed} from Moodle's grading worksheet (the assignment's "Download
    grading worksheet"); SystemExit with the reason for a file that is not one."""
    from dateutil import parser, tz

    where = tz.gettz(timezone) if timezone else tz.tzlocal()
    if where is None:
        raise SystemExit(f"lms collect: unknown time zone {timezone!r} (e.g. Europe/Berlin, America/Toronto, UTC)")
    path = Path(path)
    if not path.is_file():
        raise SystemExit(f"lms collect: worksheet {path} is not a file")
    rows = rosters.csv_rows(path, WORKSHEET, lambda missing: (
        f"lms collect: {path.name} has no column {', '.join(repr(c) for c in missing)}: not Moodle's grading "
        "worksheet (the assignment's View all submissions -> Download grading worksheet, English labels)"))
    found = {}
    for number, row in enumerate(rows, start=2):
        participant = PARTICIPANT.match(row["Identifier"].strip())
        if not participant:
            raise SystemExit(f"lms collect: {path.name} line {number}: {row['Identifier']!r} is not a participant")
        text = (row["Last modified (submission)"] or "").strip()
        when = None
        if text and text != "-":
            try:
                moment = parser.parse(text)
            except (ValueError, OverflowError):
                raise SystemExit(f"lms collect: {path.name} line {number}: cannot read the time {text!r}") from None
            moment = moment if moment.tzinfo else moment.replace(tzinfo=where)
            when = moment.astimezone(tz.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
        late = bool(re.search(r"\blate\b", row.get("Status") or "", re.I))
        found[participant.group(1)] = Handed((row.get("Email address") or "").strip().lower(), when, late)
    return found


def find_assignment(names):
    """The assignment whose released notebooks the download's file names name (None: unsure)."""
    found = set()
    for assignment in notebooks.assignments():
        released = {f"{name}.ipynb" for name in notebooks.released_names(assignment)}
        if any(name in released or COPY.sub(r"\g<stem>", name[:-6]) + ".ipynb" in released for name in names):
            found.add(assignment)
    return found.pop() if len(found) == 1 else None


def download_names(download):
    """The file names a download holds (a zip's members, a folder's files), for a first check."""
    if download.is_dir():
        return [p.relative_to(download).as_posix() for p in download.rglob("*") if p.is_file()]
    if not zipfile.is_zipfile(download):
        raise SystemExit(f"lms collect: {download} is neither a folder nor a zip file")
    try:
        with zipfile.ZipFile(download) as zf:
            bad = zf.testzip()
            names = [n for n in zf.namelist() if not n.endswith("/")]
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise SystemExit(f"lms collect: {download} is a damaged zip file ({exc})") from None
    if bad:
        raise SystemExit(f"lms collect: {download} is a damaged zip file (bad entry {bad})")
    return names


CONFIG = """\
# Written by `python -m autograder lms collect`: the settings nbgrader's zip_collect ran with for
# this download (the course folder's nbgrader_config.py is left to the grade command).
c = get_config()  # noqa: F821 (provided by traitlets when nbgrader loads this file)
c.CourseDirectory.root = {root!r}
c.CourseDirectory.assignment_id = {assignment!r}
c.CourseDirectory.release_directory = {release!r}
c.ZipCollectApp.collector_plugin = "autograder.lms.collect.RosterCollector"
c.ZipCollectApp.force = True
c.ZipCollectApp.strict = False
c.FileNameCollectorPlugin.valid_ext = [".ipynb"]
c.FileNameCollectorPlugin.named_regexp = {pattern!r}
c.RosterCollector.lms = {lms!r}
c.RosterCollector.roster = {roster!r}
c.RosterCollector.expected = {expected!r}
c.RosterCollector.worksheet = {worksheet!r}
c.RosterCollector.timezone = {timezone!r}
"""


def collect(download, lms, out, assignment=None, worksheet=None, timezone=""):
    """Run zip_collect over one LMS download; returns the manifest (what lms.json holds)."""
    from nbgrader.apps import ZipCollectApp
    from nbgrader.coursedir import CourseDirectory
    from traitlets import log
    from traitlets.config.loader import PyFileConfigLoader

    from autograder.grading.logs import captured_log, log_text

    if lms not in PATTERNS:
        raise SystemExit(f"lms collect: unknown LMS {lms!r}; this command knows {', '.join(PATTERNS)}")
    download, out = Path(download).resolve(), Path(out).resolve()
    if not download.exists():
        raise SystemExit(f"lms collect: {download} does not exist")
    rosters.load(out, "lms collect")
    if worksheet:
        if lms != "moodle":
            raise SystemExit("lms collect: --worksheet is Moodle's grading worksheet; Canvas's download has none")
        read_worksheet(worksheet, timezone)  # its errors before anything is copied
    names = download_names(download)
    notebooks_in = [n for n in names if n.endswith(".ipynb")]
    if not any(re.match(PATTERNS[lms], "/" + n) for n in notebooks_in):
        other = [o for o in PATTERNS if o != lms and any(re.match(PATTERNS[o], "/" + n) for n in notebooks_in)]
        shown = ", ".join(names[:5]) + (" ..." if len(names) > 5 else "") if names else "nothing"
        raise SystemExit(f"lms collect: no notebook in {download.name} is named the way {lms.capitalize()} names "
                         f"submissions ({SHAPES[lms]})"
                         + (f"; it looks like a {other[0].capitalize()} download (--lms {other[0]})" if other else "")
                         + f"; it holds: {shown}")
    named = [re.match(PATTERNS[lms], "/" + n) for n in notebooks_in]
    assignment = assignment or find_assignment([m["file_id"] + m["ext"] for m in named if m])
    if assignment is None:
        raise SystemExit("lms collect: cannot tell which assignment this download is for: "
                         f"give --assignment (one of {', '.join(notebooks.assignments())})")
    if assignment not in notebooks.assignments():
        raise SystemExit(f"lms collect: {assignment} is not one of this course's assignments")

    place = out / "downloaded" / assignment
    archive = place / "archive"
    if place == download or place in download.parents:
        raise SystemExit(f"lms collect: {download} is inside {place}, which this command replaces: give the "
                         "download from where you saved it")
    shutil.rmtree(archive, ignore_errors=True)
    archive.mkdir(parents=True)
    copied = archive / (download.name if download.is_dir() else download.stem + ".zip")
    if download.is_dir():
        shutil.copytree(download, copied)
    else:
        shutil.copy2(download, copied)
    expected = notebooks.released_names(assignment)
    config_path = place / "zip_collect_config.py"
    config_path.write_text(CONFIG.format(root=str(out), assignment=assignment, release=str(notebooks.EXERCISES),
                                         pattern=PATTERNS[lms], lms=lms, roster=str(out / rosters.ROSTER),
                                         expected=",".join(expected),
                                         worksheet=str(Path(worksheet).resolve()) if worksheet else "",
                                         timezone=timezone or ""))
    cfg = PyFileConfigLoader(config_path.name, path=str(place)).load_config()
    app = ZipCollectApp(config=cfg)
    app.coursedir = CourseDirectory(config=cfg)
    with captured_log() as records:
        try:
            app.log = log.get_logger()  # zip_collect and its plugins say what they do into the records
            app.init_plugins()
            app.extract_archive_files()
            extracted = Path(app._format_collect_path(app.extracted_directory))
            files = sorted(str(p) for p in extracted.rglob("*") if p.is_file())
            plugin = app.collector_plugin_inst
            plugin.extracted, plugin.names = str(extracted), set(names)
            plugin.root = str(extracted / (download.name if download.is_dir() else unpacked_folder(copied.name)))
            plugin.direct = direct_files(download, plugin.root, names)
            plugin.prepare(files)
            before = stamps(out / "submitted", plugin.learners, assignment)
            app.process_extracted_files()
        except SystemExit:
            raise SystemExit("lms collect: nbgrader zip_collect stopped:\n" + log_text(records)) from None
        except (OSError, ValueError, zipfile.BadZipFile) as exc:
            raise SystemExit(f"lms collect: extracting {download.name} failed: {exc}") from None
    after = stamps(out / "submitted", plugin.learners, assignment)
    removed = {s: text for s, text in before.items() if after.get(s) != text}
    collected = dict(plugin.learners)
    if (place / MANIFEST).exists():  # learners not in this download keep their folder, and their record
        earlier = json.loads((place / MANIFEST).read_text()).get("collected", {})
        for student, record in earlier.items():
            collected.setdefault(student, record)
    manifest = {"lms": lms, "assignment": assignment, "download": str(download),
                "collected": collected, "this_download": sorted(plugin.learners), "unknown_learners": plugin.unknown,
                "unmatched_files": plugin.unmatched, "not_notebooks": plugin.not_notebooks,
                "superseded": plugin.superseded, "from_archives": plugin.from_archives, "misplaced": plugin.misplaced,
                "timestamps_replaced": removed}
    (place / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return manifest


def stamps(submitted, students, assignment):
    """{student: their timestamp.txt's text} for those of `students` who have one."""
    found = {}
    for student in students:
        path = submitted / student / assignment / "timestamp.txt"
        if path.is_file():
            found[student] = path.read_text().strip()
    return found


def manifests(out):
    """{assignment: manifest} of every download collected into the course folder."""
    found = {}
    for path in sorted(Path(out).glob(f"downloaded/*/{MANIFEST}")):
        try:
            found[path.parent.name] = json.loads(path.read_text())
        except ValueError:
            continue
    return found


def late_marks(out):
    """{(student, assignment)} of the work the LMS itself marks late (Canvas's LATE, Moodle's
    worksheet status), from every download collected into the course folder: what a report can
    show beside nbgrader's own lateness (which needs a time the downloads rarely give)."""
    return {(student, assignment) for assignment, manifest in manifests(out).items()
            for student, got in manifest.get("collected", {}).items() if got.get("late")}


def report(manifest, out):
    """The collect's listing, as the command prints it."""
    a, lms = manifest["assignment"], manifest["lms"].capitalize()
    now = manifest["this_download"]
    lines = [f"lms collect: {len(now)} learners' {a} from {lms} into {Path(out) / 'submitted'}/<id>/{a}/ "
             "(nbgrader zip_collect)"]
    for student in now:
        got = manifest["collected"][student]
        late = "  LATE (the LMS's mark)" if got["late"] else ""
        when = f"  handed in {got['submitted_at']}" if got.get("submitted_at") else ""
        files = ", ".join(f"{Path(src).name} -> {dest}" for src, dest, *_ in got["files"])
        lines.append(f"  {student:<16} {got['lms_name']} ({got['lms_id']}): {files}{when}{late}")
    for label, got in sorted(manifest["unknown_learners"].items()):
        lines.append(f"  not collected: {label}: {got['why']} ({', '.join(Path(f).name for f in got['files'])})")
    for kind, text in (("unmatched_files", f"not named as {lms} names submissions"),
                       ("not_notebooks", "not a notebook"), ("superseded", "an older copy of a resubmitted notebook")):
        for rel in manifest[kind]:
            lines.append(f"  skipped: {rel}: {text}")
    for rel, why in manifest.get("misplaced", []):
        lines.append(f"  not collected: {rel}: {why} (a file is collected only for the learner whose folder holds it)")
    for archive, files in sorted(manifest.get("from_archives", {}).items()):
        inside = f"inside {archive}, an archive in the download" if archive else "changed by an archive in the download"
        lines.append(f"  not collected: {plural(len(files), 'file')} {inside} (a file in an "
                     f"uploaded archive can name anyone; ask the learner to upload the notebook itself): "
                     + ", ".join(Path(f).name for f in files))
    for student, text in sorted(manifest.get("timestamps_replaced", {}).items()):
        given = manifest["collected"][student].get("submitted_at")
        lines.append(f"  warning: {student}'s timestamp.txt ({text}) was "
                     + (f"replaced by the worksheet's {given}" if given else "removed")
                     + " with their folder: write it again before grading if it was yours (docs/lms.md, Late work)")
    kept = sorted(set(manifest["collected"]) - set(now))
    if kept:
        lines.append(f"  kept from an earlier download (not in this one): {', '.join(kept)}")
    late = [s for s in now if manifest["collected"][s]["late"] and not manifest["collected"][s].get("submitted_at")]
    if late:
        lines.append(f"  {lms} marks {len(late)} late ({', '.join(late)}); the download gives no time, "
                     "so no timestamp.txt was written and nbgrader applies no late penalty (see docs/lms.md)")
    timed = [s for s in now if manifest["collected"][s].get("submitted_at")]
    if timed:
        lines.append(f"  {len(timed)} timestamp.txt written from the worksheet's times (nbgrader's due date and late "
                     "penalty apply)")
    return "\n".join(lines)
