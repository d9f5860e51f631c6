"""Tracking against the audit libraries people reach for (issue 16, target 1), in-process on
PostgreSQL, side by side in one run: `children.services.activate_task` untracked, with ChoreHub's
tracking (as it was before issue 15, and as shipped), and untracked but with one of
django-simple-history, django-auditlog or django-pghistory recording the child's change instead,
each told who acted as its middleware would tell it.

The peers are never the project's dependencies: this script builds a throwaway virtualenv in a
temporary folder that sees the project's packages (a .pth file) and installs the pinned peers
there, then runs `bench/peers_measure.py` in it (settings `bench.peers_settings`) on a database
of its own that it creates and drops. Calls are interleaved in blocks of --block, ABBA.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ .venv/bin/python bench/peers.py --calls 3000
"""

import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.harness import BASE_DIR, bench_database, in_process_arguments, other_load, server_env

DATABASE_NAME = "chorehub_bench_peers"
PEERS = ("django-simple-history==3.13.0", "django-auditlog==3.4.1", "django-pghistory==3.9.2")


def throwaway_python(folder: Path) -> Path:
    """A virtualenv in `folder` with the project's packages (this interpreter's) and the peers."""
    subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
    python = folder / "bin" / "python"
    purelib = subprocess.check_output(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
    ).strip()
    Path(purelib, "chorehub_project.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *PEERS],
        check=True,
    )
    return python


def main() -> None:
    args = in_process_arguments(__doc__.split("\n\n")[0], "peers.py")
    with tempfile.TemporaryDirectory(prefix="bench-peers-") as folder:
        print("installing the peers in a throwaway virtualenv ...", flush=True)
        python = throwaway_python(Path(folder) / "venv")
        before = other_load()
        with bench_database(args.database_url, DATABASE_NAME) as url:
            env = {
                **server_env(url, Path(folder) / "logs"),
                "DJANGO_SETTINGS_MODULE": "bench.peers_settings",
            }
            print()
            print("=== Tracking and the audit libraries in-process: activate_task ===")
            print(
                "reproduce:  DATABASE_URL=<a PostgreSQL server> .venv/bin/python bench/peers.py "
                f"--calls {args.calls} --warmup {args.warmup} --block {args.block}"
            )
            sys.stdout.flush()
            subprocess.run(
                [
                    python,
                    "bench/peers_measure.py",
                    f"--calls={args.calls}",
                    f"--warmup={args.warmup}",
                    f"--block={args.block}",
                ],
                cwd=BASE_DIR,
                env=env,
                check=True,
            )
        print(f"other load: before the run {before}; after it {other_load()}")


if __name__ == "__main__":
    main()
