"""A PrairieLearn external grader built from this course, and the runner its image calls.

PrairieLearn's contract, from its documentation (docs/ in github.com/PrairieLearn/PrairieLearn):
- "External Grading", https://docs.prairielearn.com/externalGrading/ (docs/externalGrading.md):
  a question opts in with the `externalGradingOptions` block of its info.json: `enabled`,
  `image` (anything `docker pull` accepts, required), `entrypoint` (an absolute path in the
  image, with arguments as a string or an array), `serverFilesCourse` (folders of the course's
  serverFilesCourse/ copied into the job), `timeout` (seconds, default 30, at most 600),
  `enableNetworking` (off by default: jobs run without network) and `environment`. In the
  container, the student's files are in /grade/student, the question's tests/ folder in
  /grade/tests, the listed serverFilesCourse folders in /grade/serverFilesCourse, and the
  question's `data` in /grade/data/data.json. The entrypoint must write
  /grade/results/results.json (the folder is not created for it; at most 1 MB): `score` in
  [0, 1], or `gradable: false` with `format_errors`, which uses no attempt and costs no points.
- "Docker images", https://docs.prairielearn.com/dockerImages/ (docs/dockerImages.md): a course's
  own image is built for linux/amd64, pushed to a public registry (Docker Hub, ghcr.io, quay.io,
  ...), "publicly accessible without authentication", then synced on the course's Sync page.
- "`clientFiles` and `serverFiles`", https://docs.prairielearn.com/clientServerFiles/
  (docs/clientServerFiles.md): serverFilesCourse/ is never served to a student's browser;
  clientFiles* folders are.
- "Python Autograder", https://docs.prairielearn.com/python-grader/ (docs/python-grader/index.md):
  PrairieLearn's own image holds only public grader logic; question-specific answers arrive
  with the job and are hidden from student code before it runs.

Conventions that follow:
- **The image is public, so it holds nothing secret**: the grader package and its
  dependencies, the same code students receive. The course folder (exercises, reference
  solutions, and `prairielearn.json` with the time limit and the hidden cases' salt) goes into
  the course repository's serverFilesCourse/backprop_grader/, which PrairieLearn copies into
  each job and never serves to students; never into a question folder or clientFiles*.
- The image is `python:3.12-slim` (official, Debian with glibc, so numpy installs from wheels;
  Python in /usr/local, readable by the unprivileged uid the worker drops to). PrairieLearn's
  prairielearn/grader-python carries its own test framework and a scientific stack this grader
  does not use, and moves with PrairieLearn's releases; this grader needs neither.
- Everything is installed when the image is built (`pip install` of the build context): jobs
  have no network. The entrypoint runs as root, so the worker can drop to an unprivileged uid
  (`grader.isolation.sandbox`); before grading, the runner makes the course folder readable by root
  only, so student code cannot read the reference even where Landlock is unavailable.
- One build id (a hash of the image's files) is written into the Dockerfile (ENV GRADER_BUILD),
  the course folder's config and the image tag, so an image and a course folder from different
  builds are reported instead of silently mixed.

`build_package(out=...)` writes OUT/ (see its docstring) for one assignment of
the course: the question's entrypoint names it (`--assignment ID`), so the
course folder, which holds the whole course, can serve a question per
assignment. `run(root)` grades root/student through `grader.api.grade`
(instructor mode: public and hidden cases) and always writes root/results/results.json: a submission that cannot
be read, or any failure of the grader, gives `gradable: false` with a
one-line reason, never a traceback. The root is a parameter so the runner can
be tested on a folder laid out like /grade.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import sys
import tempfile
import uuid
from pathlib import Path

from grader.outputs import atomic
from grader.authoring.course import IMPLICIT_ASSIGNMENT
from grader.authoring.release import shipped_files

#: The folder of the course repository's serverFilesCourse/ that holds the course.
COURSE_DIR = "backprop_grader"
#: The runner's settings inside that folder: assignment, timeout, salt, build (and allow_root, false).
CONFIG = "prairielearn.json"
#: Where the image installs the grader, and the command PrairieLearn runs in it.
VENV = "/opt/backprop-grader/venv"
ENTRYPOINT = [f"{VENV}/bin/python", "-m", "grader.outputs.prairielearn", "run", "--root", "/grade"]
#: A placeholder for the image name: staff replace it with their registry account.
IMAGE = "ACCOUNT/backprop-grader"
#: PrairieLearn's ceilings: the job's timeout, and the size of results.json.
MAX_JOB_SECONDS = 600
MAX_RESULTS_BYTES = 1_000_000
#: Seconds added to the per-exercise limits for the job's start and the grader's own work.
JOB_OVERHEAD = 30
#: What a student sees when the grader itself fails (details never reach the student).
INTERNAL = "The grader failed on this submission, so it was not counted. Please tell the course staff."

def write_results(doc: dict, path: str | os.PathLike) -> None:
    """Write a results.json atomically (a temporary name, then a rename), creating its folder."""
    atomic.write_json(path, doc, mkdir=True)


# ---------------------------------------------------------------- the package


DOCKERFILE = """\
# The PrairieLearn grader image of backprop-grader, written by `grade prairielearn`.
# PrairieLearn pulls course images from a public registry, so this image holds only
# the grader package (the code students also receive). The course (exercises, reference
# solutions, hidden-case salt) reaches each job in /grade/serverFilesCourse/{course_dir}/.
#
#   docker build --platform linux/amd64 -t {image}:{build} .
#   docker push {image}:{build}
FROM python:3.12-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
COPY . /opt/backprop-grader/src
# Grading jobs have no network: every dependency is installed now.
RUN python -m venv {venv} \\
 && {venv}/bin/pip install /opt/backprop-grader/src \\
 && {venv}/bin/python -c "import grader.outputs.prairielearn, numpy, rich, nbformat, IPython"
ENV GRADER_BUILD={build}
# Jobs start as root: the grader moves student code to an unprivileged uid itself.
USER root
CMD {cmd}
"""

QUESTION_HTML = """\
<pl-question-panel>
  <p>Upload your exercise files ({names}), as .py files or as the exercise notebooks.
  Each check is graded on the public cases you can run with <code>grade</code> and on hidden cases.</p>
  <pl-file-upload optional-file-names="{uploads}"></pl-file-upload>
</pl-question-panel>

<pl-submission-panel>
  <pl-external-grader-results></pl-external-grader-results>
  <pl-file-preview></pl-file-preview>
</pl-submission-panel>
"""

STAFF_README = """\
# PrairieLearn grader for backprop-grader (build {build})

Written by `grade prairielearn`; rebuild it rather than editing it.

| Folder | Goes to | Visible to students? |
|---|---|---|
| `image/` | a Docker image on a public registry | yes: grader code only, nothing secret |
| `serverFilesCourse/{course_dir}/` | your course repository's `serverFilesCourse/{course_dir}/` | no: reference solutions and salt |
| `question/` | a question folder, `questions/<name>/` | yes: statement and upload box |

1. Build and push the image (PrairieLearn runs linux/amd64 images):
   `docker build --platform linux/amd64 -t {image}:{build} image/` then
   `docker push {image}:{build}`, with your registry account instead of `ACCOUNT`.
2. Copy `serverFilesCourse/{course_dir}/` into the course repository's `serverFilesCourse/`.
   The reference solutions and the salt live there and only there: never put them in a
   question folder, in any `clientFiles*` folder or in the image. Keep the repository private.
3. Copy `question/` to `questions/<name>/`, replace `{image}` in `info.json` by your image
   name, and give each copy of the question a fresh `uuid`.
4. Commit and push, sync the course, then on the Sync page sync the Docker image.

Grading jobs run without network (`enableNetworking` stays false); everything was installed
when the image was built. Each job grades `/grade/student` against the course folder, for the
assignment `{assignment}` ({n_exercises} exercises, {total:g} points), with public and hidden cases and a limit of {timeout:g} s per exercise; the job's own `timeout`
is {job_timeout} s. PrairieLearn shows the student all of results.json right after each
submission: the score and one test per check, scored on public and hidden cases (there is
no "after publishing" stage). An unreadable upload is "not gradable": no attempt used, no
points lost.
For one question per exercise, add `"--exercise", "ID"` to the `entrypoint` array and list
only that exercise's files in `question.html` (the exercise must be in `{assignment}`). For
another assignment of the course, run `grade prairielearn --assignment ID` into another folder. The image and the course folder must come
from the same build (the job reports a mismatch): after a rebuild, push both.
"""


def _build_id(files: list[tuple[str, bytes]]) -> str:
    digest = hashlib.sha256()
    for rel, data in sorted(files):
        digest.update(rel.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.hexdigest()[:16]


def build_package(*, out: str | os.PathLike, course=None, timeout: float = 10.0, salt: str = "",
                  assignment: str | None = None) -> Path:
    """Write the PrairieLearn grader folder OUT, grading one assignment of the course (default: its
    default assignment); returns its path. Deterministic for the same inputs.

    OUT/image/                  the Docker build context: Dockerfile, pyproject.toml, README.md, grader/
    OUT/serverFilesCourse/backprop_grader/
                                course.toml, exercises/, reference/ and prairielearn.json (assignment,
                                timeout, salt, build): course staff only, copied into the course
                                repository's serverFilesCourse/
    OUT/question/               info.json (externalGradingOptions) and question.html
    OUT/README.md               what to build, push and copy where

    An existing OUT is replaced only if it is an earlier package (it has image/Dockerfile).
    """
    from grader.authoring.course import find_course
    from grader.errors import UsageError

    if not (timeout > 0):
        raise UsageError("--timeout must be a positive number of seconds")
    c = find_course(course)
    chosen = c.assignment(assignment)
    project = Path(__file__).resolve().parents[2]
    if not (project / "pyproject.toml").is_file():
        raise UsageError("the grader image is built from a checkout of the grader (pyproject.toml not found)")
    exercises = c.exercises(chosen.id)
    missing = [e.file for e in exercises if not c.has_reference(e)]
    if missing:
        raise UsageError(f"the PrairieLearn grader needs the reference solutions; missing: {', '.join(missing)}")
    job_timeout = math.ceil(len(exercises) * float(timeout)) + JOB_OVERHEAD
    if job_timeout > MAX_JOB_SECONDS:
        raise UsageError(f"{len(exercises)} exercises at {timeout:g} s each need a {job_timeout} s job, over "
                         f"PrairieLearn's {MAX_JOB_SECONDS} s limit: lower --timeout")
    _check_hidden_cases(c, exercises, salt)
    target = Path(out)
    if target.exists() and not (target / "image" / "Dockerfile").is_file():
        raise UsageError(f"{target} exists and is not a package from `grade prairielearn`: name a new folder")

    image = [(name, (project / name).read_bytes()) for name in ("pyproject.toml", "README.md")]
    image += [(f"grader/{p.relative_to(project / 'grader').as_posix()}", p.read_bytes())
              for p in shipped_files(project / "grader")]
    build = _build_id(image)
    secret = [(f"{top}/{p.relative_to(folder).as_posix()}", p.read_bytes())
              for top, folder in (("exercises", c.exercises_dir), ("reference", c.reference_dir))
              for p in shipped_files(folder)]
    if c.course_file.is_file():
        secret.append((c.course_file.name, c.course_file.read_bytes()))
    config = {"assignment": chosen.id, "timeout": float(timeout), "salt": salt, "build": build, "allow_root": False}
    secret.append((CONFIG, (json.dumps(config, indent=2) + "\n").encode()))
    image.append(("Dockerfile", DOCKERFILE.format(course_dir=COURSE_DIR, image=IMAGE, build=build, venv=VENV,
                                                  cmd=json.dumps(ENTRYPOINT)).encode()))
    names = [e.file for e in exercises]
    uploads = ", ".join(n for e in exercises for n in (e.file, f"{e.id}.ipynb"))
    question = [
        ("info.json", (json.dumps(_question_info(build, job_timeout, chosen), indent=2) + "\n").encode()),
        ("question.html", QUESTION_HTML.format(names=", ".join(names), uploads=uploads).encode()),
    ]
    readme = STAFF_README.format(build=build, course_dir=COURSE_DIR, image=IMAGE, timeout=float(timeout),
                                 job_timeout=job_timeout, assignment=chosen.id, n_exercises=len(exercises),
                                 total=sum(e.max_score for e in exercises))

    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        for base, files in (("image", image), (f"serverFilesCourse/{COURSE_DIR}", secret), ("question", question)):
            for rel, data in files:
                path = tmp / base / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        (tmp / "README.md").write_text(readme, encoding="utf-8")
        tmp.chmod(0o755)
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            os.replace(target, old / "package")
            os.replace(tmp, target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            os.replace(tmp, target)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _check_hidden_cases(course, exercises, salt: str) -> None:
    """Make every exercise's hidden cases with this salt now, so no job fails on them later."""
    from grader.judging.engine import plan_exercise
    from grader.errors import GraderError, UsageError

    for e in exercises:
        try:
            plan_exercise(course, e, instructor=True, salt=salt)
        except GraderError:
            raise
        except Exception as exc:  # noqa: BLE001 - a course's input generator; report it in one line
            raise UsageError(f"the hidden cases of {e.id!r} cannot be made with this salt ({type(exc).__name__}: "
                             f"{exc}); choose another --salt, and tell the exercise's author") from None


def _question_info(build: str, job_timeout: int, assignment) -> dict:
    """A question's info.json: external grading by this image, the course folder from serverFilesCourse."""
    title = ("Backpropagation exercises (autograded)" if assignment.id == IMPLICIT_ASSIGNMENT
             else f"{assignment.title} (autograded)")
    return {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"backprop-grader/prairielearn/{build}/{assignment.id}")),
        "title": title,
        "topic": "Backpropagation",
        "tags": ["code"],
        "type": "v3",
        "singleVariant": True,
        "gradingMethod": "External",
        "externalGradingOptions": {
            "enabled": True,
            "image": f"{IMAGE}:{build}",
            "entrypoint": [*ENTRYPOINT, "--assignment", assignment.id],
            "serverFilesCourse": [f"{COURSE_DIR}/"],
            "timeout": job_timeout,
            "enableNetworking": False,
        },
    }


# ---------------------------------------------------------------- the runner


def _course_folder(root: Path, course) -> Path:
    """The course: an explicit folder, else GRADE_COURSE, else root/serverFilesCourse/backprop_grader."""
    if course is not None:
        return Path(course)
    if os.environ.get("GRADE_COURSE"):
        return Path(os.environ["GRADE_COURSE"])
    return root / "serverFilesCourse" / COURSE_DIR


def _grade(root: Path, exercise: str | None, course, assignment: str | None = None) -> dict:
    from grader import api
    from grader.errors import CourseError
    from grader.outputs.platforms import prairielearn

    folder = _course_folder(root, course)
    cfg_path = folder / CONFIG
    try:
        cfg = json.loads(cfg_path.read_text(encoding="utf-8")) if cfg_path.is_file() else {}
    except ValueError as exc:
        raise CourseError(f"{CONFIG} in the course folder is not valid JSON ({exc})") from None
    image_build, course_build = os.environ.get("GRADER_BUILD"), cfg.get("build")
    if image_build and course_build and image_build != course_build:
        raise CourseError(f"the grader image is build {image_build} but serverFilesCourse/{COURSE_DIR} is build "
                          f"{course_build}: push the image and copy the folder from the same `grade prairielearn`")
    if os.geteuid() == 0 and course is None and not os.environ.get("GRADE_COURSE") and folder.is_dir():
        folder.chmod(0o700)              # the worker's unprivileged uid cannot enter it
    report = api.grade(root / "student", exercise=exercise, assignment=assignment or cfg.get("assignment"),
                       timeout=float(cfg.get("timeout", api.DEFAULT_TIMEOUT)), mode="instructor", course=folder,
                       salt=str(cfg.get("salt", "")), allow_root=bool(cfg.get("allow_root", False)))
    return _within_limit(prairielearn(report))


def _within_limit(doc: dict) -> dict:
    """The results with per-test texts shortened if the file would pass PrairieLearn's 1 MB."""
    if len(json.dumps(doc, ensure_ascii=False).encode()) <= MAX_RESULTS_BYTES:
        return doc
    note = "(cut: the results were over PrairieLearn's 1 MB limit)"
    tests = [{**t, "message": t["message"][:2000] + " " + note, "output": ""} for t in doc["tests"]]
    return {**doc, "message": doc["message"][:2000], "tests": tests}


def run(root: str | os.PathLike = "/grade", *, exercise: str | None = None, course=None,
        assignment: str | None = None) -> dict:
    """Grade root/student and write root/results/results.json; returns the results (always written).

    assignment: the assignment graded (default: the one in prairielearn.json, else the course's default)."""
    from grader.errors import GraderError
    from grader.outputs.neutral import one_line
    from grader.outputs.platforms import prairielearn_ungradable

    root = Path(root)
    try:
        results = _grade(root, exercise, course, assignment)
    except GraderError as exc:
        results = prairielearn_ungradable(one_line(exc.message))
    except Exception as exc:  # noqa: BLE001 - whatever fails, the student gets a result, not a traceback
        print(f"grader.outputs.prairielearn: internal error ({type(exc).__name__})", file=sys.stderr)
        results = prairielearn_ungradable(INTERNAL)
    write_results(results, root / "results" / "results.json")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m grader.outputs.prairielearn")
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="grade ROOT/student into ROOT/results/results.json")
    r.add_argument("--root", default="/grade")
    r.add_argument("--assignment", metavar="ID", help="grade this assignment (default: the one in "
                                                      f"{CONFIG}, else the course's first)")
    r.add_argument("--exercise", metavar="ID", help="grade only this exercise (one question per exercise)")
    r.add_argument("--course", metavar="DIR", help="the course folder (default: ROOT/serverFilesCourse/"
                                                   f"{COURSE_DIR})")
    args = parser.parse_args(argv)
    try:
        run(args.root, exercise=args.exercise, course=args.course, assignment=args.assignment)
    except OSError as exc:
        print(f"grader.outputs.prairielearn: cannot write the results: {exc.strerror or exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
