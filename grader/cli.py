"""The `grade` command: argparse over the keyword-only API in `grader.api`.

    grade PATH [--assignment ID] [--exercise ID] [--json FILE] [--timeout S] [--mode MODE] [--salt TEXT]
               [--course DIR]
    grade batch SUBMISSIONS --out DIR [--assignment ID] [--jobs N] [--timeout S] [--regrade]
                [--min-isolation LEVEL] [--roster FILE] [--points N] [--column NAME]
    grade gradescope --out ZIP [--assignment ID] [--timeout S] [--salt TEXT]
    grade prairielearn --out DIR [--assignment ID] [--timeout S] [--salt TEXT] [--course DIR]
    grade handout --out DIR [--assignment ID] [--course DIR]
    grade build [--check] [--assignment ID] [--exercise ID] [--course DIR]
    grade list [--assignment ID] [--course DIR]

--assignment names one of the course's assignments (course.toml). Grading
commands take the default assignment (the first) without it; build, handout
and list take every exercise.

Exit codes: 0 when every graded check passes, 1 when any check fails, 2 for
a usage error, an unreadable submission or a broken course folder. The human
report goes to stdout; errors go to stderr in one line; machine-readable
output only ever goes to the file named by --json. Error lines may quote file
names from a submission, so they pass through `grader.outputs.neutral.one_line`: no
control or bidi character acts, and a newline in a name cannot break the line.
"""

from __future__ import annotations

import argparse
import signal
import sys

from grader import api
from grader.errors import GraderError
from grader.outputs.neutral import one_line, visible

#: The one line a bare `grade` prints (on stderr); `grade --help` says the rest.
USAGE = ("usage: grade PATH [--exercise ID] [--json FILE] [--timeout S] [...]   "
         "or: grade {batch,gradescope,prairielearn,handout,build,list,new} ...   (grade --help for more)")

SUBCOMMANDS = ("check", "batch", "gradescope", "prairielearn", "handout", "build", "list", "new")


def _console(stderr: bool = False):
    from rich.console import Console

    # Errors are one line each: never wrap them.
    return Console(stderr=stderr, highlight=False, soft_wrap=stderr)


def _line(text: str, style: str = ""):
    """A rich Text of `text` as it is: no markup, no :emoji: codes (a str would get those replaced)."""
    from rich.text import Text

    return Text(text, style=style)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="grade", usage="grade PATH [options]\n       grade {check,batch,gradescope,prairielearn,handout,build,list} ...",
        description="Grade backpropagation exercises: forward/backward passes, checked numerically.",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="{check,batch,gradescope,prairielearn,handout,build,list}")

    check = sub.add_parser("check", help="grade a submission folder or one exercise file")
    check.add_argument("path", help="a folder holding exercise files, or one <id>.py")
    check.add_argument("--assignment", metavar="ID",
                       help="grade this assignment's exercises (default: the course's first assignment, or the "
                            "one holding --exercise)")
    check.add_argument("--exercise", metavar="ID", help="grade only this exercise")
    check.add_argument("--json", metavar="FILE", help="also write the machine report (JSON) to FILE")
    check.add_argument("--format", choices=api.FORMATS, default="native",
                       help="the --json file's format: native (schema 1), prairielearn or gradescope results.json")
    check.add_argument("--timeout", type=float, default=api.DEFAULT_TIMEOUT, metavar="S",
                       help=f"wall-clock seconds per exercise (default {api.DEFAULT_TIMEOUT:g})")
    check.add_argument("--mode", choices=api.MODES, default="auto",
                       help="auto: use the reference when present; student: public cases only; "
                            "instructor: require the reference")
    check.add_argument("--execute-all", action="store_true",
                       help="for a notebook: run every code cell instead of keeping only the definitions")
    check.add_argument("--salt", metavar="TEXT", default="",
                       help="mixed into the hidden cases' seeds (instructor mode), to keep them private")
    check.add_argument("--course", metavar="DIR", help="the course folder (default: this checkout)")
    check.add_argument("--allow-root", action="store_true",
                       help="as root, grade even if student code cannot be moved to an unprivileged uid "
                            "(it would then run with root's privileges; refused by default)")

    from grader.isolation.sandbox import LEVELS

    batch = sub.add_parser("batch", help="grade a folder with one entry per student")
    batch.add_argument("submissions", help="a folder: one folder, .py, .zip or .ipynb per student")
    batch.add_argument("--out", required=True, metavar="DIR", help="where per-student and class results go")
    batch.add_argument("--assignment", metavar="ID",
                       help="grade this assignment's exercises (default: the course's first assignment)")
    batch.add_argument("--jobs", type=int, default=None, metavar="N",
                       help="students graded at once (default: the number of cores)")
    batch.add_argument("--timeout", type=float, default=api.DEFAULT_TIMEOUT, metavar="S",
                       help=f"wall-clock seconds per exercise (default {api.DEFAULT_TIMEOUT:g})")
    batch.add_argument("--regrade", action="store_true", help="grade again students already graded in DIR")
    batch.add_argument("--min-isolation", choices=LEVELS, default="process", metavar="LEVEL",
                       help=f"refuse to start below this isolation level ({', '.join(LEVELS)}; "
                            f"default process)")
    batch.add_argument("--mode", choices=api.MODES, default="auto", help="as for `grade check`")
    batch.add_argument("--salt", metavar="TEXT", default="", help="mixed into the hidden cases' seeds")
    batch.add_argument("--execute-all", action="store_true",
                       help="for notebook entries: run every code cell instead of keeping only the definitions")
    batch.add_argument("--course", metavar="DIR", help="the course folder (default: this checkout)")
    batch.add_argument("--allow-root", action="store_true",
                       help="as root, grade even if student code cannot be moved to an unprivileged uid "
                            "(it would then run with root's privileges; refused by default)")
    batch.add_argument("--roster", metavar="FILE",
                       help="CSV with columns student, lms_id[, name]: maps ids for the Canvas and Moodle files")
    batch.add_argument("--points", type=float, metavar="N",
                       help="scale totals to this maximum in the LMS files (default: the course total)")
    batch.add_argument("--column", metavar="NAME",
                       help="the grade column's title in the LMS files (default: the assignment's title)")

    gs = sub.add_parser("gradescope", help="build a Gradescope autograder zip (holds the reference: staff only)")
    gs.add_argument("--out", required=True, metavar="ZIP", help="where to write the autograder zip")
    gs.add_argument("--assignment", metavar="ID",
                    help="the assignment the zip grades (default: the course's first assignment)")
    gs.add_argument("--timeout", type=float, default=api.DEFAULT_TIMEOUT, metavar="S",
                    help=f"wall-clock seconds per exercise (default {api.DEFAULT_TIMEOUT:g})")
    gs.add_argument("--salt", metavar="TEXT", default="", help="mixed into the hidden cases' seeds")
    gs.add_argument("--course", metavar="DIR", help="the course folder (default: this checkout)")

    pl = sub.add_parser("prairielearn", help="build a PrairieLearn grader: image context, course folder (staff "
                                             "only), question files")
    pl.add_argument("--out", required=True, metavar="DIR", help="a new folder to write the package into")
    pl.add_argument("--assignment", metavar="ID",
                    help="the assignment the grader grades (default: the course's first assignment)")
    pl.add_argument("--timeout", type=float, default=api.DEFAULT_TIMEOUT, metavar="S",
                    help=f"wall-clock seconds per exercise (default {api.DEFAULT_TIMEOUT:g})")
    pl.add_argument("--salt", metavar="TEXT", default="", help="mixed into the hidden cases' seeds")
    pl.add_argument("--course", metavar="DIR", help="the course folder (default: this checkout)")

    ho = sub.add_parser("handout", help="write what students receive: no reference, no hidden-case salt")
    ho.add_argument("--out", required=True, metavar="DIR", help="a new or empty folder (or an earlier handout)")
    ho.add_argument("--assignment", metavar="ID", help="hand out only this assignment (default: every exercise)")
    ho.add_argument("--course", metavar="DIR", help="the course folder (default: this checkout)")

    build = sub.add_parser("build", help="regenerate student_template/ and the public cases from reference/")
    build.add_argument("--check", action="store_true", help="write nothing; exit 1 if a file would change")
    build.add_argument("--assignment", metavar="ID", help="build only this assignment's exercises")
    build.add_argument("--exercise", metavar="ID", help="build only this exercise")
    build.add_argument("--course", metavar="DIR", help="the course folder (default: this checkout)")

    lst = sub.add_parser("list", help="list the exercises, their points and assignments")
    lst.add_argument("--assignment", metavar="ID", help="list only this assignment's exercises")
    lst.add_argument("--course", metavar="DIR", help="the course folder (default: this checkout)")
    nw = sub.add_parser("new", help="write a working exercise skeleton: reference, declaration, statement")
    nw.add_argument("id", metavar="ID", help="the exercise id: lower-case letters, digits and _ (e.g. leaky_relu)")
    nw.add_argument("--convention", default="column", choices=("column", "batch"),
                    help="column: the notes' columns and row gradients; batch: rows are examples (default column)")
    nw.add_argument("--style", default="class", choices=("class", "function"),
                    help="class: a layer with forward/backward; function: a forward/backward pair (default class)")
    nw.add_argument("--assignment", metavar="ID", help="the assignment in course.toml to add it to (default: the "
                                                       "default assignment; a new id makes a new assignment)")
    nw.add_argument("--course", metavar="DIR", help="the course folder (default: this checkout)")
    # `grade --help` is mostly read by students: show the options of `grade PATH` there, not only the subcommands.
    lines = check.format_help().split("\n\n", 1)[1].splitlines()
    options = "\n".join(line for line in lines if line.startswith("  ") and not line.lstrip().startswith("-h,"))
    parser.epilog = f"grade PATH [options], the same as grade check PATH [options]:\n{options}\n"
    return parser


def _normalise(argv: list[str]) -> list[str]:
    """`grade PATH ...` means `grade check PATH ...`."""
    if argv and argv[0] not in SUBCOMMANDS and argv[0] not in ("-h", "--help"):
        return ["check", *argv]
    return argv


def _batch(args) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from grader.outputs.report import render_batch

    console = _console()
    bar = Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                   console=console, disable=not console.is_terminal, transient=True)
    task = {}

    def progress(event):
        if event["event"] == "start":
            task["id"] = bar.add_task("grading", total=event["total"])
        else:
            bar.advance(task["id"])

    def interrupted(signum, frame):
        raise KeyboardInterrupt      # the batch stops its slots, which clean up after themselves

    handlers = {sig: signal.signal(sig, interrupted) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        with bar:
            result = api.batch(args.submissions, out=args.out, jobs=args.jobs, timeout=args.timeout,
                               regrade=args.regrade, min_isolation=args.min_isolation, mode=args.mode,
                               salt=args.salt, course=args.course, execute_all=args.execute_all,
                               allow_root=args.allow_root, roster=args.roster, points=args.points,
                               assignment=args.assignment, column=args.column, progress=progress)
    finally:
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
    render_batch(result, console)
    return 0


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    parser = _parser()
    if not args_list:
        print(USAGE, file=sys.stderr)
        return 2
    try:
        args = parser.parse_args(_normalise(args_list))
    except SystemExit as exc:
        return 0 if exc.code == 0 else 2
    try:
        if args.command == "check":
            try:
                report = api.grade(args.path, exercise=args.exercise, assignment=args.assignment,
                                   timeout=args.timeout, mode=args.mode, course=args.course, salt=args.salt,
                                   execute_all=args.execute_all, allow_root=args.allow_root)
            except (GraderError, OSError) as exc:
                if args.json and args.format == "prairielearn":
                    # PrairieLearn shows "not gradable" with the reason, not a failed job.
                    from grader.outputs.platforms import prairielearn_ungradable
                    from grader.outputs.prairielearn import write_results

                    write_results(prairielearn_ungradable(one_line(getattr(exc, "message", None) or exc)),
                                  args.json)
                raise
            from grader.outputs.report import render

            render(report, _console())
            if args.json:
                api.write_json(report, args.json, format=args.format)
            return 0 if report.all_passed else 1
        if args.command == "batch":
            return _batch(args)
        if args.command == "gradescope":
            path = api.gradescope(out=args.out, assignment=args.assignment, timeout=args.timeout, salt=args.salt,
                                  course=args.course)
            _console().print(_line(visible(f"Wrote {path}: upload it as the assignment's autograder. It holds "
                                           f"the reference solutions and the hidden cases' salt; keep it away from "
                                           f"students.")))
            return 0
        if args.command == "prairielearn":
            path = api.prairielearn(out=args.out, assignment=args.assignment, timeout=args.timeout,
                                    salt=args.salt, course=args.course)
            _console().print(_line(visible(
                f"Wrote {path}: build and push {path / 'image'}, copy {path / 'serverFilesCourse'} into the course "
                f"repository (it holds the reference solutions and the salt: staff only) and {path / 'question'} "
                f"into a question folder; {path / 'README.md'} says how.")))
            return 0
        if args.command == "handout":
            path = api.handout(out=args.out, assignment=args.assignment, course=args.course)
            _console().print(_line(visible(f"Wrote {path}: give this folder to students. It has no reference "
                                           f"solutions, so `grade` runs there in student mode (public cases).")))
            return 0
        if args.command == "build":
            from grader.outputs.report import render_build

            result = api.build(course=args.course, check=args.check, exercise=args.exercise,
                               assignment=args.assignment)
            render_build(result, _console())
            return 1 if (args.check and result.changed) else 0
        if args.command == "new":
            written = api.new(args.id, convention=args.convention, style=args.style, assignment=args.assignment,
                              course=args.course)
            console = _console()
            console.print(_line(visible(f"Wrote {len(written)} file(s): " + ", ".join(map(str, written)))))
            console.print(_line(visible("Edit the reference and the statement, then run `grade build`.")))
            return 0
        if args.command == "list":
            from grader.outputs.report import render_exercises

            render_exercises(api.list_exercises(course=args.course, assignment=args.assignment), _console(),
                             assignments=api.assignments(course=args.course))
            return 0
    except GraderError as exc:
        _console(stderr=True).print(_line(one_line(f"grade: {exc.message}"), "bold red"))
        return exc.exit_code
    except KeyboardInterrupt:
        _console(stderr=True).print("grade: interrupted", style="bold red", markup=False)
        return 130
    except OSError as exc:
        _console(stderr=True).print(_line(one_line(f"grade: {exc}"), "bold red"))
        return 2
    parser.print_help()
    return 2
