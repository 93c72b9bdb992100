"""The LMS round trip (autograder/lms/, docs/lms.md): roster import, a Canvas zip and a Moodle
folder collected through nbgrader's zip_collect, grade --dry-run, the grade files Canvas and
Moodle import, per-learner feedback zips; bad input gets a clear error."""

import csv
import io
import json
import shutil
import zipfile
from datetime import datetime

import nbformat
import pytest

from autograder import notebooks
from autograder.__main__ import main
from autograder.lms import roster as rosters
from support.grading import read_grades, run_grade
from support.synthetic import correct_notebook, released_notebook

A = "01_neuron"
NB = f"{A}_exercise.ipynb"
ROSTER = """id,name,email,lms_id
jdoe,Jane Doe,jane.doe@example.edu,
asmith,"Smith, Alan",alan.smith@example.edu,5151
lvb,Ludwig van Beethoven,lvb@example.edu,
kim,Kim,kim@example.edu,
"""


def correct():
    return nbformat.writes(correct_notebook(A))


def blank():
    return released_notebook(A).read_text()


_imported = {}  # roster text -> a course folder it was imported into (a new gradebook costs seconds)


def course(tmp_path, text=ROSTER):
    """A course folder with the roster imported (a copy of the first import of the same roster)."""
    out = tmp_path / "course"
    if text in _imported and _imported[text].exists():
        shutil.copytree(_imported[text], out)
        return out
    (tmp_path / "roster.csv").write_text(text)
    assert main(["lms", "roster", str(tmp_path / "roster.csv"), "--out", str(out)]) == 0
    _imported[text] = tmp_path / f"imported-{len(_imported)}"
    shutil.copytree(out, _imported[text])
    return out


def canvas_zip(path, files):
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


# Canvas names a file <sortable name>_[LATE_]<user id>_<file id>_<file name>; "-1" when the
# learner uploaded a file of that name before.
CANVAS = {
    f"doejane_4242_90817_{NB}": "correct",
    f"smithalan_LATE_5151_90818_{NB}": "blank",                       # first try, superseded
    f"smithalan_LATE_5151_90900_{NB[:-6]}-1.ipynb": "correct",        # the resubmission
    "beethovenludwigvan_77_90819_my_copy.ipynb": "correct",           # renamed notebook
    f"strangerbob_999_90820_{NB}": "correct",                         # not on the roster
    "doejane_4242_90821_notes.txt": "notes",                          # not a notebook
    "kim_31_text.html": "<p>online text</p>",                         # Canvas's text entry
    "README.txt": "junk",                                             # not Canvas's
}


def collect_into(out, download, lms, capsys):
    """`lms collect`: (what it printed, the files in submitted/ as student/assignment/name)."""
    assert main(["lms", "collect", str(download), "--lms", lms, "--out", str(out)]) == 0
    submitted = out / "submitted"
    return capsys.readouterr().out, sorted(p.relative_to(submitted).as_posix() for p in submitted.rglob("*")
                                           if p.is_file())


def make_canvas(tmp_path):
    texts = {"correct": correct(), "blank": blank()}
    return canvas_zip(tmp_path / "course-neuron submissions.zip", {n: texts.get(t, t) for n, t in CANVAS.items()})


def test_roster_import_fills_the_gradebook_and_keeps_the_roster(tmp_path):
    from nbgrader.api import Gradebook

    out = course(tmp_path)
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", rosters.course_id()) as gb:
        got = {s.id: (s.first_name, s.last_name, s.email, s.lms_user_id) for s in gb.students}
    assert got == {"jdoe": ("Jane", "Doe", "jane.doe@example.edu", None),
                   "asmith": ("Alan", "Smith", "alan.smith@example.edu", "5151"),
                   "lvb": ("Ludwig", "van Beethoven", "lvb@example.edu", None),
                   "kim": ("Kim", None, "kim@example.edu", None)}
    assert [x.id for x in rosters.load(out)] == ["jdoe", "asmith", "lvb", "kim"]
    # run again with a changed name: updated, not duplicated
    course(tmp_path, ROSTER.replace("Jane Doe", "Jane Q. Doe"))
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", rosters.course_id()) as gb:
        assert len(gb.students) == 4
        assert gb.find_student("jdoe").first_name == "Jane Q."


@pytest.mark.parametrize("name, first_last", [
    ("Jane Doe", ("Jane", "Doe")), ("Doe, Jane", ("Jane", "Doe")), ("  Jane   Q.  Doe ", ("Jane Q.", "Doe")),
    ("Ludwig van Beethoven", ("Ludwig", "van Beethoven")), ("Plato", ("Plato", "")),
    ("Maria de la Cruz", ("Maria", "de la Cruz")),
])
def test_names_split_into_first_and_last(name, first_last):
    assert rosters.split_name(name) == first_last


@pytest.mark.parametrize("text, message", [
    ("", "is empty"),
    ("jdoe,Jane Doe,jane@example.edu\n", "no column id, name, email .the first row must be the header"),
    ("id,name\njdoe,Jane\n", "no column email"),
    ("id,name,email,grade\njdoe,Jane,j@x.org,3\n", "unknown column grade"),
    ("id,name,email\njdoe,Jane,j@x.org\njdoe,John,k@x.org\n", "line 3: id jdoe appears twice"),
    ("id,name,email\njane doe,Jane,j@x.org\n", "not usable as a folder name"),
    ("id,name,email\njdoe,Jane,nobody\n", "not an email address"),
    ("id,name,email\njdoe,,j@x.org\n", "line 2: empty name"),
    ("id,name,email\njdoe,Jane\n", "line 2 has 2 fields"),
    ("id,name,email\n", "no learners"),
])
def test_a_bad_roster_is_refused_with_the_reason(tmp_path, text, message):
    (tmp_path / "r.csv").write_text(text)
    with pytest.raises(SystemExit, match=message):
        main(["lms", "roster", str(tmp_path / "r.csv"), "--out", str(tmp_path / "c")])
    assert not (tmp_path / "c" / "roster.csv").exists()


def test_canvas_download_is_collected_into_submitted(tmp_path, capsys):
    out = course(tmp_path)
    download = make_canvas(tmp_path)
    said, got = collect_into(out, download, "canvas", capsys)
    assert got == [f"asmith/{A}/{NB}", f"jdoe/{A}/{NB}", f"lvb/{A}/my_copy.ipynb"]
    submitted = out / "submitted"
    # the resubmission (-1, later file number) won over the first try
    assert (submitted / "asmith" / A / NB).read_text() == correct()
    assert (out / "downloaded" / A / "archive" / download.name).exists()  # nbgrader's layout
    assert (out / "downloaded" / A / "extracted").is_dir()
    config = (out / "downloaded" / A / "zip_collect_config.py").read_text()
    assert "named_regexp" in config and "RosterCollector" in config
    assert not (out / "nbgrader_config.py").exists()  # left to the grade command
    manifest = json.loads((out / "downloaded" / A / "lms.json").read_text())
    assert {s: m["late"] for s, m in manifest["collected"].items()} == {"asmith": True, "jdoe": False, "lvb": False}
    assert list(manifest["unknown_learners"]) == ["strangerbob (999)"]
    assert [p.rsplit("/", 1)[-1] for p in manifest["unmatched_files"]] == ["README.txt"]
    assert sorted(p.rsplit("/", 1)[-1] for p in manifest["not_notebooks"]) == ["doejane_4242_90821_notes.txt",
                                                                                "kim_31_text.html"]
    assert [p.rsplit("/", 1)[-1] for p in manifest["superseded"]] == [f"smithalan_LATE_5151_90818_{NB}"]
    # nothing dropped silently: the listing names each
    for text in ("strangerbob (999): not on the roster", "README.txt: not named as Canvas", "notes.txt: not a notebook",
                 f"smithalan_LATE_5151_90818_{NB}: an older copy", "LATE (the LMS's mark)", "no timestamp.txt"):
        assert text in said, text
    assert not (submitted / "asmith" / A / "timestamp.txt").exists()  # Canvas gives no time


def test_moodle_folder_is_collected_by_name(tmp_path, capsys):
    out = course(tmp_path)
    download = tmp_path / "NEURON-Exercise 1-12345"
    files = {
        f"Jane Doe_100_assignsubmission_file_/{NB}": correct(),
        f"Alan Smith_101_assignsubmission_file_/{NB}": blank(),
        "Alan Smith_101_assignsubmission_onlinetext_/onlinetext.html": "<p>hi</p>",
        f"Ludwig van Beethoven_102_assignsubmission_file_{NB}": correct(),   # "in folders" off: flat
        f"Kim_104_assignsubmission_file/{NB}": correct(),                    # Moodle 4.1's folder name
        f"Nobody Known_103_assignsubmission_file_/{NB}": correct(),
    }
    for name, text in files.items():
        (download / name).parent.mkdir(parents=True, exist_ok=True)
        (download / name).write_text(text)
    _, got = collect_into(out, download, "moodle", capsys)
    assert got == [f"asmith/{A}/{NB}", f"jdoe/{A}/{NB}", f"kim/{A}/{NB}", f"lvb/{A}/{NB}"]
    submitted = out / "submitted"
    assert (submitted / "asmith" / A / NB).read_text() == blank()
    manifest = json.loads((out / "downloaded" / A / "lms.json").read_text())
    assert manifest["collected"]["jdoe"]["lms_id"] == "100"
    assert list(manifest["unknown_learners"]) == ["Nobody Known (103)"]
    assert [p.rsplit("/", 1)[-1] for p in manifest["not_notebooks"]] == ["onlinetext.html"]


def test_two_learners_of_one_name_are_not_guessed(tmp_path):
    out = course(tmp_path, ROSTER + "jdoe2,Jane Doe,other.jane@example.edu,\n")
    canvas = canvas_zip(tmp_path / "c.zip", {f"doejane_4242_90817_{NB}": correct(),
                                             f"smithalan_5151_90818_{NB}": correct()})
    assert main(["lms", "collect", str(canvas), "--lms", "canvas", "--out", str(out)]) == 0
    manifest = json.loads((out / "downloaded" / A / "lms.json").read_text())
    assert manifest["unknown_learners"]["doejane (4242)"]["why"] == "matches jdoe, jdoe2"
    assert list(manifest["collected"]) == ["asmith"]


def test_bad_downloads_get_a_clear_error(tmp_path):
    out = course(tmp_path)
    junk = canvas_zip(tmp_path / "junk.zip", {"notes.txt": "x", "a/b.ipynb": correct()})
    with pytest.raises(SystemExit, match=r"no notebook in junk.zip is named the way Canvas .*holds: notes.txt, a/b"):
        main(["lms", "collect", str(junk), "--lms", "canvas", "--out", str(out)])
    moodle = canvas_zip(tmp_path / "m.zip", {f"Jane Doe_100_assignsubmission_file_/{NB}": correct()})
    with pytest.raises(SystemExit, match=r"looks like a Moodle download \(--lms moodle\)"):
        main(["lms", "collect", str(moodle), "--lms", "canvas", "--out", str(out)])
    (tmp_path / "fake.zip").write_text("not a zip")
    with pytest.raises(SystemExit, match="neither a folder nor a zip file"):
        main(["lms", "collect", str(tmp_path / "fake.zip"), "--lms", "canvas", "--out", str(out)])
    damaged = bytearray(make_canvas(tmp_path).read_bytes())
    damaged[60:200] = bytes(140)  # inside the first member's data: the central directory still reads
    (tmp_path / "damaged.zip").write_bytes(bytes(damaged))
    with pytest.raises(SystemExit, match="damaged zip file"):
        main(["lms", "collect", str(tmp_path / "damaged.zip"), "--lms", "canvas", "--out", str(out)])
    with pytest.raises(SystemExit, match="unknown LMS 'blackboard'"):
        from autograder.lms.collect import collect

        collect(make_canvas(tmp_path), "blackboard", out)
    with pytest.raises(SystemExit):  # argparse: invalid choice
        main(["lms", "collect", str(junk), "--lms", "blackboard", "--out", str(out)])
    with pytest.raises(SystemExit, match="no roster in .*lms roster CSV"):
        main(["lms", "collect", str(make_canvas(tmp_path)), "--lms", "canvas", "--out", str(tmp_path / "empty")])
    with pytest.raises(SystemExit, match="cannot tell which assignment"):
        main(["lms", "collect", str(canvas_zip(tmp_path / "r.zip", {"doejane_4242_1_mine.ipynb": correct()})),
              "--lms", "canvas", "--out", str(out)])
    assert not (out / "submitted").exists()
    inside = out / "downloaded" / A / "archive" / "c.zip"
    inside.parent.mkdir(parents=True)
    shutil.copy(make_canvas(tmp_path), inside)
    with pytest.raises(SystemExit, match="inside .* which this command replaces"):
        main(["lms", "collect", str(inside), "--lms", "canvas", "--out", str(out)])
    assert inside.exists()


def test_dry_run_lists_before_grading_and_writes_nothing(tmp_path, capsys):
    from autograder.grading.ledger import Ledger
    from autograder.grading.submissions import Submission, digest

    out = course(tmp_path)
    assert main(["lms", "collect", str(make_canvas(tmp_path)), "--lms", "canvas", "--out", str(out)]) == 0
    submitted = out / "submitted"
    (submitted / "kim" / A).mkdir(parents=True)                      # a folder without the notebook
    (submitted / "kim" / "99_unknown").mkdir()                       # not one of the course's assignments
    (submitted / "jdoe" / A / "timestamp.txt").write_text("2026-03-02 12:30:00 UTC\n")
    set_due_date(out)
    folder = submitted / "lvb" / A   # graded before, as it is now: the ledger says so
    Ledger(out / "grading" / "ledger.jsonl").record(
        Submission("lvb", A, folder, hash=digest(folder, digest(notebooks.SOLUTIONS / A))), "judge", [])
    before = sorted((p.relative_to(out).as_posix(), p.stat().st_mtime_ns) for p in out.rglob("*"))
    capsys.readouterr()
    assert main(["grade", str(out), "--dry-run"]) == 0
    said = capsys.readouterr().out
    lines = {line.split()[0]: line for line in said.splitlines() if line.startswith("  ")}
    assert "to grade" in lines[f"asmith/{A}"] and "the LMS marks it late" in lines[f"asmith/{A}"]
    assert "to grade" in lines[f"jdoe/{A}"] and "late: 2:30:00 after the due date (timestamp.txt" in lines[f"jdoe/{A}"]
    assert "late: late" not in said
    assert "already graded" in lines[f"lvb/{A}"] and "renamed notebook: graded my_copy.ipynb" in lines[f"lvb/{A}"]
    assert "missing notebook" in lines[f"kim/{A}"] and "zero" in lines[f"kim/{A}"]
    assert "not one of this course's assignments" in lines["kim/99_unknown"]
    assert "2 to grade, 1 already graded, 1 zero" in said and "1 renamed, 1 missing notebooks, 1 unknown" in said
    after = sorted((p.relative_to(out).as_posix(), p.stat().st_mtime_ns) for p in out.rglob("*"))
    assert after == before  # nothing graded, nothing written
    capsys.readouterr()
    assert main(["grade", str(out), "--dry-run", "--force"]) == 0
    assert "already graded" not in capsys.readouterr().out


GRADES = """student,assignment,score,max_score,status,submitted_at,late_by,penalty
jdoe,01_neuron,12,12,ok,,,
jdoe,03_loss,7.5,10,known mistake: sign,,,
asmith,01_neuron,0,12,"late: 2:00:00 after the due date, penalty 12 points",2026-03-02T12:00:00,7200,12
asmith,03_loss,0,10,not submitted,,,
lvb,01_neuron,,12,grader error: boom,,,
zed,01_neuron,3,12,ok,,,
kim,99_unknown,,,unknown assignment: not one of this course's exercises (skipped),,,
"""


def exported(out, lms, *extra):
    assert main(["lms", "export", "--lms", lms, "--out", str(out), *extra]) == 0
    return list(csv.reader(io.StringIO((out / "lms" / f"{lms}_grades.csv").read_text())))


def test_export_writes_what_canvas_and_moodle_import(tmp_path, capsys):
    out = course(tmp_path)
    (out / "grades.csv").write_text(GRADES)
    rows = exported(out, "canvas")
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "01_neuron", "03_loss"]
    assert rows[1] == ["Points Possible", "", "", "", "", "12", "10"]
    assert rows[2:] == [["Doe, Jane", "", "", "jdoe", "", "12", "7.5"],
                        ["Smith, Alan", "5151", "", "asmith", "", "0", ""],      # after the late penalty
                        ["van Beethoven, Ludwig", "", "", "lvb", "", "", ""],    # not graded: blank
                        ["Kim", "", "", "kim", "", "", ""]]
    assert "not on the roster, left out: zed" in capsys.readouterr().err
    titled = exported(out, "canvas", "--title", "03_loss=Exercise 3 (4570)")
    assert titled[0][5:] == ["01_neuron", "Exercise 3 (4570)"] and titled[2][5:] == ["12", "7.5"]
    for bad in ("03_loss", "99_x=Title", "03_loss= "):
        with pytest.raises(SystemExit, match="--title"):
            main(["lms", "export", "--lms", "canvas", "--out", str(out), "--title", bad])
    rows = exported(out, "moodle", "--zero-missing")
    assert rows[0] == ["Email address", "First name", "Last name", "01_neuron", "03_loss"]
    assert rows[1:] == [["jane.doe@example.edu", "Jane", "Doe", "12", "7.5"],
                        ["alan.smith@example.edu", "Alan", "Smith", "0", "0"],
                        ["lvb@example.edu", "Ludwig", "van Beethoven", "", "0"],
                        ["kim@example.edu", "Kim", "", "0", "0"]]


def test_export_warns_of_scores_still_waiting_for_a_hand_grade(tmp_path, capsys):
    out = course(tmp_path)
    (out / "grades.csv").write_text(GRADES + "jdoe,09_chain_rule,14,17,awaiting manual grade: explanation,,,\n")
    exported(out, "canvas")
    err = capsys.readouterr().err
    assert "still waiting for a grade given by hand, counted as 0 until then: jdoe/09_chain_rule" in err
    (out / "grades.csv").write_text(GRADES)
    exported(out, "canvas")
    assert "waiting for a grade" not in capsys.readouterr().err


def test_export_refuses_what_it_cannot_read(tmp_path):
    out = course(tmp_path)
    with pytest.raises(SystemExit, match="no .*grades.csv: grade the class first"):
        main(["lms", "export", "--lms", "canvas", "--out", str(out)])
    (out / "grades.csv").write_text("name,points\nx,1\n")
    with pytest.raises(SystemExit, match="no column student, assignment, score, max_score, status"):
        main(["lms", "export", "--lms", "moodle", "--out", str(out)])
    with pytest.raises(SystemExit):
        main(["lms", "export", "--lms", "sakai", "--out", str(out)])


def test_bundles_hold_only_their_learners_files(tmp_path, capsys):
    out = tmp_path / "course"
    (out / "grades.csv").parent.mkdir()
    (out / "grades.csv").write_text(GRADES)
    for student in ("jdoe", "asmith"):
        for assignment in ("01_neuron", "03_loss"):
            page = out / "feedback" / student / assignment / f"{assignment}_exercise.html"
            page.parent.mkdir(parents=True)
            page.write_text(f"<p>feedback for {student}</p>")
        (out / "summary").mkdir(exist_ok=True)
        (out / "summary" / f"{student}.md").write_text(
            f"# {student}\n[{A}_exercise.html](../feedback/{student}/{A}/{A}_exercise.html)\n")
    (out / "feedback" / "jdoe" / A / "timestamp.txt").write_text("2026-03-02 12:30:00 UTC")  # nbgrader copies it
    (out / "feedback" / "jdoe" / A / "notes.txt").write_text("not a feedback page")
    (out / "feedback" / "jdoe" / ".ipynb_checkpoints").mkdir()
    (out / "feedback" / "jdoe" / ".ipynb_checkpoints" / "x.html").write_text("old")
    (out / "summary" / "class.md").write_text("# the class\n")
    assert main(["lms", "bundles", "--out", str(out)]) == 0
    zips = sorted(p.name for p in (out / "bundles").iterdir())
    assert zips == ["asmith.zip", "jdoe.zip"]  # grades.csv's learners with feedback: not the class page
    assert "no feedback or summary yet, no zip: lvb, zed" in capsys.readouterr().err
    for student in ("jdoe", "asmith"):
        with zipfile.ZipFile(out / "bundles" / f"{student}.zip") as zf:
            assert sorted(zf.namelist()) == [f"01_neuron/{A}_exercise.html", "03_loss/03_loss_exercise.html",
                                             "summary.md"]
            texts = [zf.read(n).decode() for n in zf.namelist()]
            other = "asmith" if student == "jdoe" else "jdoe"
            assert all(other not in t for t in texts)
            assert f"feedback for {student}" in texts[0]
            assert f"]({A}/{A}_exercise.html)" in zf.read("summary.md").decode()  # a link inside the zip


def test_bundles_need_a_graded_class(tmp_path):
    with pytest.raises(SystemExit, match="grade the class first"):
        main(["lms", "bundles", "--out", str(tmp_path)])


@pytest.mark.slow
def test_the_round_trip_through_canvas(tmp_path):
    """roster -> Canvas zip -> collect -> dry run -> grade (the real command) -> export -> bundles:
    the correct notebooks (one renamed, one resubmitted) get full marks, the untouched release
    none, and each learner's zip holds their own feedback."""
    out = course(tmp_path)
    download = canvas_zip(tmp_path / "c.zip", {
        f"doejane_4242_90817_{NB}": correct(),
        f"smithalan_LATE_5151_90818_{NB}": blank(),
        f"smithalan_LATE_5151_90900_{NB[:-6]}-1.ipynb": correct(),
        "beethovenludwigvan_77_90819_my_copy.ipynb": correct(),
        f"kim_31_90822_{NB}": blank(),
    })
    assert main(["lms", "collect", str(download), "--lms", "canvas", "--out", str(out)]) == 0
    run_grade(out, "--jobs", 2, timeout=600, check=True)
    rows = {r[3]: r[5] for r in exported(out, "canvas")[2:]}
    assert rows == {"jdoe": "12", "asmith": "12", "lvb": "12", "kim": "0"}
    # Canvas's LATE mark reaches the status, and only asmith's
    status = {student: r["status"] for (student, _), r in read_grades(out).items()}
    assert "late: marked late by the LMS" in status["asmith"]
    assert [s for s, text in status.items() if "late" in text] == ["asmith"]
    assert main(["lms", "bundles", "--out", str(out)]) == 0
    with zipfile.ZipFile(out / "bundles" / "lvb.zip") as zf:
        names = zf.namelist()
        assert f"{A}/{NB[:-6]}.html" in names and "summary.md" in names
        assert all(n.startswith(f"{A}/") or n == "summary.md" for n in names)
    with zipfile.ZipFile(out / "bundles" / "asmith.zip") as zf:  # the learner's page: no instructor's status
        page = zf.read("summary.md").decode()
        assert "| assignment | score | feedback |" in page and "status" not in page and "LMS" not in page
        assert f"]({A}/{NB[:-6]}.html)" in page
    with zipfile.ZipFile(out / "bundles" / f"canvas_{A}_feedback.zip") as zf:
        read_back = {canvas_reads(n): zf.read(n) for n in zf.namelist()}
    # each page goes to the learner's Canvas user id and the file they handed in (the resubmission's)
    assert sorted(read_back) == [("31", "90822"), ("4242", "90817"), ("5151", "90900"), ("77", "90819")]
    assert read_back["4242", "90817"] == (out / "feedback" / "jdoe" / A / f"{NB[:-6]}.html").read_bytes()


def canvas_reads(name):
    """(user id, file id) as Canvas reads an uploaded file's name: the first two all-digit parts
    between underscores (app/models/assignment.rb, infer_comment_context_from_filename)."""
    numbers = [part for part in name.rsplit("/", 1)[-1].split("_") if part.isdigit()]
    return tuple(numbers[:2])


def moodle_reads(name):
    """(participant, plugin type, plugin name, file name) as Moodle reads a name in an uploaded
    feedback zip (mod/assign/feedback/file/importziplib.php): a path part split at the first four
    underscores."""
    first, _, rest = name.partition("/")
    info = first.split("_", 4) + [""] * (5 - len(first.split("_", 4)))
    return info[1], info[2], info[3], "/".join(filter(None, [info[4], rest]))


def test_moodle_feedback_upload_zip_names_the_participants(tmp_path):
    out = course(tmp_path)
    download = moodle_download(tmp_path, {f"Jane Doe_100_assignsubmission_file_/{NB}": correct(),
                                          f"Kim_104_assignsubmission_file/{NB}": correct()})
    assert main(["lms", "collect", str(download), "--lms", "moodle", "--out", str(out)]) == 0
    (out / "grades.csv").write_text(GRADES)
    for student in ("jdoe", "kim"):
        page = out / "feedback" / student / A / f"{NB[:-6]}.html"
        page.parent.mkdir(parents=True)
        page.write_text(f"<p>feedback for {student}</p>")
    assert main(["lms", "bundles", "--out", str(out)]) == 0
    with zipfile.ZipFile(out / "bundles" / f"moodle_{A}_feedback.zip") as zf:
        got = {moodle_reads(n): zf.read(n).decode() for n in zf.namelist()}
    assert got == {("100", "assignsubmission", "file", f"{NB[:-6]}.html"): "<p>feedback for jdoe</p>",
                   ("104", "assignsubmission", "file", f"{NB[:-6]}.html"): "<p>feedback for kim</p>"}


def test_collecting_again_replaces_what_the_new_download_holds(tmp_path, capsys):
    out = course(tmp_path)
    assert main(["lms", "collect", str(make_canvas(tmp_path)), "--lms", "canvas", "--out", str(out)]) == 0
    mine = out / "submitted" / "asmith" / A / "timestamp.txt"
    mine.write_text("2026-03-02 12:30:00 UTC\n")
    again = canvas_zip(tmp_path / "again.zip", {f"smithalan_5151_91000_{NB}": blank()})
    capsys.readouterr()
    assert main(["lms", "collect", str(again), "--lms", "canvas", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "kept from an earlier download (not in this one): jdoe, lvb" in said
    assert "warning: asmith's timestamp.txt (2026-03-02 12:30:00 UTC) was removed" in said
    assert "jdoe's timestamp.txt" not in said
    assert (out / "submitted" / "asmith" / A / NB).read_text() == blank()  # the LMS's latest
    assert not mine.exists()  # replaced with the folder (docs/lms.md: write it after the last collect)
    assert (out / "submitted" / "jdoe" / A / NB).read_text() == correct()  # not in the new download: kept
    assert sorted(p.name for p in (out / "downloaded" / A / "archive").iterdir()) == ["again.zip"]
    manifest = json.loads((out / "downloaded" / A / "lms.json").read_text())
    assert manifest["collected"]["asmith"]["late"] is False  # the new download's mark
    assert manifest["collected"]["jdoe"]["files"][0][0].endswith(f"doejane_4242_90817_{NB}")  # the earlier record


WORKSHEET = (  # Moodle's grading worksheet, as "Download grading worksheet" writes it (BOM included)
    "\ufeffIdentifier,Full name,Email address,Status,Grade,Maximum Grade,Grade can be changed,"
    "Last modified (submission),Last modified (grade),Feedback comments\n"
    'Participant 100,Jane Doe,jane.doe@example.edu,Submitted for grading - Not graded,,12.00,Yes,'
    '"Monday, 2 March 2026, 9:15 AM",-,\n'
    'Participant 101,Al Smith,alan.smith@example.edu,Submitted for grading - 2 hours 30 mins late - Not graded,,'
    '12.00,Yes,"Monday, 2 March 2026, 12:30 PM",-,\n'
    "Participant 102,Ludwig van Beethoven,lvb@example.edu,No submission - Not graded,,12.00,Yes,-,-,\n"
)


def moodle_download(tmp_path, files):
    download = tmp_path / "NEURON-Exercise 1-12345"
    for name, text in files.items():
        (download / name).parent.mkdir(parents=True, exist_ok=True)
        (download / name).write_text(text)
    return download


def collect_with_worksheet(tmp_path, timezone):
    """Jane Doe (on time) and Al Smith (late, his Moodle name not the roster's), with the worksheet."""
    out = course(tmp_path)
    download = moodle_download(tmp_path, {f"Jane Doe_100_assignsubmission_file_/{NB}": correct(),
                                          f"Al Smith_101_assignsubmission_file_/{NB}": correct()})
    (tmp_path / "worksheet.csv").write_text(WORKSHEET, encoding="utf-8")
    assert main(["lms", "collect", str(download), "--lms", "moodle", "--out", str(out),
                 "--worksheet", str(tmp_path / "worksheet.csv"), "--timezone", timezone]) == 0
    return out


def set_due_date(out, due=datetime(2026, 3, 2, 10, 0)):
    from nbgrader.api import Gradebook

    with Gradebook(rosters.gradebook_url(out), rosters.course_id()) as gb:
        gb.update_or_create_assignment(A, duedate=due)


def test_moodle_worksheet_gives_the_time_and_the_email(tmp_path, capsys):
    """The worksheet's times become timestamp.txt (through zip_collect), in the worksheet's time
    zone; its email finds a learner whose Moodle name is not the roster's ("Al Smith")."""
    out = collect_with_worksheet(tmp_path, "Europe/Berlin")
    said = capsys.readouterr().out
    submitted = out / "submitted"
    # 9:15 and 12:30 in Berlin (UTC+1 in March) are 8:15 and 11:30 UTC
    assert (submitted / "jdoe" / A / "timestamp.txt").read_text() == "2026-03-02 08:15:00"
    assert (submitted / "asmith" / A / "timestamp.txt").read_text() == "2026-03-02 11:30:00"
    manifest = json.loads((out / "downloaded" / A / "lms.json").read_text())
    assert {s: (m["late"], m["submitted_at"]) for s, m in manifest["collected"].items()} == {
        "jdoe": (False, "2026-03-02 08:15:00 UTC"), "asmith": (True, "2026-03-02 11:30:00 UTC")}
    assert "2 timestamp.txt written from the worksheet's times" in said
    set_due_date(out)
    assert main(["grade", str(out), "--dry-run"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")}
    assert "late: 1:30:00 after the due date" in lines[f"asmith/{A}"]
    assert "the LMS marks it late" in lines[f"asmith/{A}"]
    assert "no time given" not in lines[f"asmith/{A}"] and "late" not in lines[f"jdoe/{A}"]


@pytest.mark.parametrize("text, extra, message", [
    ("Name,Grade\nx,1\n", [], "no column 'Identifier', 'Last modified .submission.'.*not Moodle's grading worksheet"),
    ('Identifier,Last modified (submission)\nParticipant 1,"yesterday-ish"\n', [], "line 2: cannot read the time"),
    ("Identifier,Last modified (submission)\nsomeone,-\n", [], "line 2: 'someone' is not a participant"),
    ("Identifier,Last modified (submission)\n", ["--timezone", "Mars/Olympus"], "unknown time zone 'Mars/Olympus'"),
])
def test_a_bad_worksheet_is_refused_before_anything_is_copied(tmp_path, text, extra, message):
    out = course(tmp_path)
    download = moodle_download(tmp_path, {f"Jane Doe_100_assignsubmission_file_/{NB}": correct()})
    (tmp_path / "w.csv").write_text(text)
    with pytest.raises(SystemExit, match=message):
        main(["lms", "collect", str(download), "--lms", "moodle", "--out", str(out),
              "--worksheet", str(tmp_path / "w.csv"), *extra])
    assert not (out / "downloaded").exists()
    with pytest.raises(SystemExit, match="--worksheet is Moodle's"):
        main(["lms", "collect", str(make_canvas(tmp_path)), "--lms", "canvas", "--out", str(out),
              "--worksheet", str(tmp_path / "w.csv")])


@pytest.mark.slow
def test_moodle_late_work_is_penalised_through_the_round_trip(tmp_path):
    """Moodle folder + grading worksheet -> collect -> grade with a due date and nbgrader's "zero"
    penalty in the course folder's config: the learner Moodle counts late (and whose time is after
    the due date) scores 0 in grades.csv and in the Moodle import file; the one on time 12."""
    out = collect_with_worksheet(tmp_path, "UTC")
    set_due_date(out)
    (out / "nbgrader_config.py").write_text('c = get_config()\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    run_grade(out, "--jobs", 2, timeout=600, check=True)
    rows = read_grades(out)
    jdoe, asmith = rows["jdoe", A], rows["asmith", A]
    assert jdoe["score"] == "12" and "late" not in jdoe["status"]
    assert asmith["score"] == "0" and "late" in asmith["status"]
    exported_rows = {r[0]: r[3] for r in exported(out, "moodle")[1:]}
    assert exported_rows["jane.doe@example.edu"] == "12" and exported_rows["alan.smith@example.edu"] == "0"


def test_a_file_inside_an_uploaded_archive_is_collected_for_no_one(tmp_path, capsys):
    """nbgrader's extractor also unpacks a zip a learner uploaded; a notebook in it named the LMS's
    way for a classmate (Canvas's name and user id) must not become the classmate's submission,
    nor push their own file aside as "an older copy". It is listed, with the archive it came from."""
    out = course(tmp_path)
    inner = io.BytesIO()
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr(f"doejane_4242_99999_{NB[:-6]}-9.ipynb", blank())    # jdoe's name and Canvas id
        zf.writestr(NB, correct())                                        # asmith's own, zipped
    download = canvas_zip(tmp_path / "d.zip", {f"doejane_4242_90817_{NB}": correct(),
                                               f"smithalan_5151_90818_{NB}": blank(),
                                               "smithalan_5151_90900_extra.zip": inner.getvalue()})
    assert main(["lms", "collect", str(download), "--lms", "canvas", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    submitted = out / "submitted"
    assert (submitted / "jdoe" / A / NB).read_text() == correct()
    assert (submitted / "asmith" / A / NB).read_text() == blank()         # not the zipped copy either
    manifest = json.loads((out / "downloaded" / A / "lms.json").read_text())
    assert manifest["superseded"] == []
    assert {a: sorted(f.rsplit("/", 1)[-1] for f in files) for a, files in manifest["from_archives"].items()} == {
        "smithalan_5151_90900_extra.zip": [NB, f"doejane_4242_99999_{NB[:-6]}-9.ipynb"]}
    assert "not collected: 2 files inside smithalan_5151_90900_extra.zip, an archive in the download" in said
    # the same zip in the folder the download was unpacked to
    folder = tmp_path / "unpacked"
    with zipfile.ZipFile(download) as zf:
        zf.extractall(folder)
    assert main(["lms", "collect", str(folder), "--lms", "canvas", "--out", str(out)]) == 0
    assert (submitted / "jdoe" / A / NB).read_text() == correct()
    assert "inside smithalan_5151_90900_extra.zip" in capsys.readouterr().out


def test_a_moodle_file_is_collected_only_for_the_learner_whose_folder_holds_it(tmp_path, capsys):
    """Moodle keeps the folders a learner makes in their submission: a folder or a file inside Alan
    Smith's folder named for Jane Doe is not Jane's submission (nor Alan's), and is listed."""
    out = course(tmp_path)
    download = moodle_download(tmp_path, {
        f"Jane Doe_100_assignsubmission_file_/{NB}": correct(),
        f"Alan Smith_101_assignsubmission_file_/{NB}": correct(),
        f"Alan Smith_101_assignsubmission_file_/Jane Doe_100_assignsubmission_file_/{NB[:-6]}-9.ipynb": blank(),
        f"Alan Smith_101_assignsubmission_file_/Jane Doe_100_assignsubmission_file_{NB}": blank(),
        f"Kim_104_assignsubmission_file/work/{NB}": correct(),           # a learner's own subfolder: theirs
    })
    said, got = collect_into(out, download, "moodle", capsys)
    assert got == [f"asmith/{A}/{NB}", f"jdoe/{A}/{NB}", f"kim/{A}/{NB}"]
    assert (out / "submitted" / "jdoe" / A / NB).read_text() == correct()
    manifest = json.loads((out / "downloaded" / A / "lms.json").read_text())
    assert [why for _, why in manifest["misplaced"]] == ["in the folder of Alan Smith (101), "
                                                         "named for Jane Doe (100)"] * 2
    assert manifest["superseded"] == []
    assert said.count("not collected: ") == 2 and "named for Jane Doe (100)" in said


def test_the_dry_run_judges_lateness_by_the_time_the_grade_keeps(tmp_path, capsys):
    """Without timestamp.txt, nbgrader's autograde keeps the time its gradebook holds for the
    submission (an earlier grading's); the dry run says so, and no "no late penalty"."""
    from nbgrader.api import Gradebook

    out = course(tmp_path)
    assert main(["lms", "collect", str(make_canvas(tmp_path)), "--lms", "canvas", "--out", str(out)]) == 0
    set_due_date(out)
    with Gradebook(rosters.gradebook_url(out), rosters.course_id()) as gb:  # graded once with a timestamp.txt
        gb.update_or_create_submission(A, "asmith", timestamp=datetime(2026, 3, 2, 12, 30))
        gb.update_or_create_submission(A, "jdoe", timestamp=datetime(2026, 3, 2, 9, 0))
    capsys.readouterr()
    assert main(["grade", str(out), "--dry-run"]) == 0
    lines = {line.split()[0]: line for line in capsys.readouterr().out.splitlines() if line.startswith("  ")}
    assert ("late: 2:30:00 after the due date (no timestamp.txt: the gradebook holds 2026-03-02 12:30 UTC from an "
            "earlier grading, and the grade keeps it; due 2026-03-02 10:00 UTC)") in lines[f"asmith/{A}"]
    assert "the LMS marks it late" in lines[f"asmith/{A}"] and "no late penalty" not in lines[f"asmith/{A}"]
    assert "late" not in lines[f"jdoe/{A}"]                                # its stored time is before the due date
    assert "the LMS marks it late; no time given, so no late penalty" not in lines[f"lvb/{A}"]
    (out / "submitted" / "jdoe" / A / "timestamp.txt").write_text("2026-03-02 11:00:00 UTC\n")  # the file wins
    assert main(["grade", str(out), "--dry-run"]) == 0
    said = capsys.readouterr().out
    assert "late: 1:00:00 after the due date (timestamp.txt 2026-03-02 11:00 UTC" in said


@pytest.mark.slow
def test_after_collecting_again_the_dry_run_and_the_grade_agree_on_lateness(tmp_path, capsys):
    """A timestamp.txt the instructor wrote, graded late (nbgrader's "zero" penalty); a second
    collect removes it and says so; the dry run and the grade then both count the work late."""
    out = course(tmp_path)
    download = canvas_zip(tmp_path / "c.zip", {f"doejane_4242_90817_{NB}": correct()})
    assert main(["lms", "collect", str(download), "--lms", "canvas", "--out", str(out)]) == 0
    (out / "submitted" / "jdoe" / A / "timestamp.txt").write_text("2026-03-02 12:30:00 UTC\n")
    set_due_date(out)
    (out / "nbgrader_config.py").write_text('c = get_config()\nc.LateSubmissionPlugin.penalty_method = "zero"\n')

    def grade():
        run_grade(out, timeout=600, check=True)
        return read_grades(out)["jdoe", A]

    first = grade()
    assert first["score"] == "0" and "late" in first["status"]
    capsys.readouterr()
    assert main(["lms", "collect", str(download), "--lms", "canvas", "--out", str(out)]) == 0
    assert "jdoe's timestamp.txt (2026-03-02 12:30:00 UTC) was removed" in capsys.readouterr().out
    assert not (out / "submitted" / "jdoe" / A / "timestamp.txt").exists()
    assert main(["grade", str(out), "--dry-run"]) == 0
    line = next(x for x in capsys.readouterr().out.splitlines() if x.startswith(f"  jdoe/{A}"))
    assert "to grade" in line and "late: 2:30:00 after the due date (no timestamp.txt: the gradebook" in line
    again = grade()
    assert again["score"] == "0" and "late: 2:30:00 after the due date" in again["status"]
