"""Runs the Arcaflow engine on a one-step workflow whose plugin comes from a
git repository served on http://127.0.0.1/ (the Python deployer's source
pattern allows no port, so the server needs port 80).

Started by `arcaflow-wizard try` with the standard library only:

    python -I try_launch.py [--serve DIR --wheels DIR] --log FILE
        --dist NAME --sha COMMIT -- ENGINE ARGS...

Without --serve (the image deployer: the plugin is a local image) it only
runs the engine and folds its log.

Where port 80 comes from, in order: a private network namespace
(`unshare --user --map-root-user --net`, loopback brought up here; there is
no network inside, so pip installs only from --wheels), else the machine's
own 127.0.0.1:80 when running as root. When neither works it says why and
how to run the same check after pushing, and exits 3.

The engine's log is folded to its warnings and errors (all of it is kept in
--log, and printed whole when the step did not succeed). Exit 0 when the
workflow's output is `success`, 1 otherwise.
"""

import argparse
import fcntl
import functools
import http.server
import os
import shutil
import socket
import struct
import subprocess
import sys
import threading

NO_PORT = 3
# Engine log lines that say nothing a plugin author needs.
NOISE = ("No running steps. Rechecking...",)


def parse():
    ap = argparse.ArgumentParser()
    # Without --serve (the image deployer), the engine just runs.
    ap.add_argument("--serve")
    ap.add_argument("--wheels")
    ap.add_argument("--log", required=True)
    ap.add_argument("--dist", required=True)
    ap.add_argument("--sha", required=True)
    ap.add_argument("--inside", action="store_true")
    ap.add_argument("engine", nargs="+")
    return ap.parse_args()


def loopback_up():
    """A new network namespace has lo down: bring it up (SIOCSIFFLAGS)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        ifr = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(s, 0x8913, ifr))[1]
        fcntl.ioctl(s, 0x8914, struct.pack("16sh", b"lo", flags | 1))
    finally:
        s.close()


def port80_free():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", 80))
        return True, ""
    except OSError as e:
        return False, str(e)
    finally:
        s.close()


def namespace_works():
    # Where distros put it, also when it is not on PATH.
    unshare = shutil.which("unshare") or next(
        (p for p in ("/usr/bin/unshare", "/bin/unshare") if os.access(p, os.X_OK)),
        None,
    )
    if not unshare:
        return None, "unshare (util-linux) is not installed"
    cmd = [unshare, "--user", "--map-root-user", "--net", "true"]
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode == 0:
        return cmd[:-1], ""
    return None, "`%s` failed: %s" % (" ".join(cmd), p.stderr.strip())


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(folder):
    handler = functools.partial(Quiet, directory=folder)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 80), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def run_engine(a):
    env = dict(os.environ)
    if a.wheels:
        # The Python deployer passes the engine's environment on to its pip
        # install.
        env.update(
            PIP_NO_INDEX="1",
            PIP_FIND_LINKS=a.wheels,
            PIP_DISABLE_PIP_VERSION_CHECK="1",
        )
    print("$ " + " ".join(a.engine), flush=True)
    proc = subprocess.Popen(
        a.engine, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    )
    lines = []

    def log_reader():
        with open(a.log, "w") as log:
            for raw in proc.stderr:
                line = raw.decode("utf-8", "replace").rstrip("\n")
                log.write(line + "\n")
                lines.append(line)
                fields = line.split("\t")
                level = fields[1] if len(fields) > 2 else "info"
                if level in ("warning", "error") and not line.endswith(NOISE):
                    print("engine: " + "\t".join(fields[1:]), flush=True)

    reader = threading.Thread(target=log_reader)
    reader.start()
    out = proc.stdout.read().decode("utf-8", "replace")
    code = proc.wait()
    reader.join()
    output_id = None
    for line in out.splitlines():
        if line.startswith("output_id:"):
            output_id = line.split(":", 1)[1].strip()
    ok = output_id == "success"
    if not ok and lines:
        print("--- the engine's whole log (%d lines)" % len(lines))
        print("\n".join(lines))
        print("---")
    print("(engine log: %d lines, folded to warnings and errors; all in %s)"
          % (len(lines), a.log))
    print(out.rstrip())
    print("engine exit code %d; workflow output: %s" % (code, output_id))
    return 0 if ok else 1


def main():
    a = parse()
    if a.inside:
        loopback_up()
        server = serve(a.serve)
        try:
            return run_engine(a)
        finally:
            server.shutdown()
    # The wizard copies --log into its session log: none from an earlier run.
    if os.path.exists(a.log):
        os.remove(a.log)
    if not a.serve:
        return run_engine(a)
    # Tests pick one way (ARCAFLOW_WIZARD_TRY_SERVE=namespace or root), or
    # none (=none).
    force = os.environ.get("ARCAFLOW_WIZARD_TRY_SERVE", "")
    if force == "none":
        ns, ns_why = None, "not tried (ARCAFLOW_WIZARD_TRY_SERVE=none)"
    elif force == "root":
        ns, ns_why = None, "not tried (ARCAFLOW_WIZARD_TRY_SERVE=root)"
    else:
        ns, ns_why = namespace_works()
    if ns:
        print("serving the commit on http://127.0.0.1/ in a private network "
              "namespace (no network inside: pip installs from %s)" % a.wheels,
              flush=True)
        me = [sys.executable, "-I", os.path.abspath(__file__), "--inside"]
        rest = sys.argv[1:]
        return subprocess.call(ns + me + rest)
    if os.geteuid() == 0 and force not in ("namespace", "none"):
        free, why = port80_free()
        if free:
            print("serving the commit on http://127.0.0.1:80/ (running as root; "
                  "a private namespace is not possible: %s)" % ns_why, flush=True)
            server = serve(a.serve)
            try:
                return run_engine(a)
            finally:
                server.shutdown()
        root_why = "127.0.0.1:80 is taken: %s" % why
    elif force == "none":
        root_why = "not tried (ARCAFLOW_WIZARD_TRY_SERVE=none)"
    else:
        root_why = "not running as root, so port 80 cannot be opened"
    print("Cannot serve the plugin's repository on http://127.0.0.1/, which the "
          "Python deployer needs (its source pattern allows no port):")
    print("  - private network namespace: %s" % ns_why)
    print("  - the machine's port 80: %s" % root_why)
    print(after_push(a))
    return NO_PORT


def after_push(a):
    """How to run the same check once the commit is on a git host."""
    workflow = os.path.join(os.getcwd(), "workflow.yaml")
    return (
        "To run the same check after pushing, set the plugin source in %s to\n"
        "  src: \"%s@git+https://github.com/<owner>/%s.git@%s\"\n"
        "(a commit SHA, not a tag: the deployer accepts only letters and digits "
        "after @), then run in %s:\n  %s"
        % (workflow, a.dist, a.dist, a.sha, os.getcwd(), " ".join(a.engine))
    )


if __name__ == "__main__":
    sys.exit(main())
