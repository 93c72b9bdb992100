"""The code passes ruff with the rules configured in pyproject.toml ([tool.ruff]), and every
`# noqa` left says why it is there."""

import re
import subprocess
import sys
import tokenize
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOQA = re.compile(r"#\s*noqa\b(?P<rest>.*)")
EXPLAINED = re.compile(r":\s*[A-Z]+[0-9]+(\s*,\s*[A-Z]+[0-9]+)*\s+\(.+\)")


def test_ruff_finds_nothing():
    run = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", "."],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def python_files():
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.py"],
                            cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return [ROOT / name for name in listed if (ROOT / name).is_file()]


def test_every_noqa_names_its_rule_and_says_why():
    unexplained = []
    for path in python_files():
        with open(path, "rb") as fh:
            comments = [t for t in tokenize.tokenize(fh.readline) if t.type == tokenize.COMMENT]
        for comment in comments:
            found = NOQA.search(comment.string)
            if found and not EXPLAINED.match(found["rest"]):
                unexplained.append(f"{path.relative_to(ROOT)}:{comment.start[0]}: {comment.string}")
    assert not unexplained, "a # noqa without its rule and a reason in parentheses:\n" + "\n".join(unexplained)
