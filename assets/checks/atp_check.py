"""Runs a plugin the way the Arcaflow engine does, over ATP, and says what broke.

Started by arcaflow-wizard with the project's own interpreter (so the SDK is
the project's), from the project folder:

    python atp_check.py --entry PKG/x_plugin.py --step ID --input-json JSON
        [--input-file inputs/example.yaml]

The input file wins when it exists (the project's example input); otherwise
the JSON (the scaffold's known input).

1. `--schema` must print the schema and nothing else (docsgen parses it).
2. `--atp`: the hello (ATP version, schema with the step), the step's result
   on the input (`success` expected), client-done, exit 0.

Exit 0 when all passed, 1 when the plugin failed a check, 2 on bad usage,
3 when ATP worked (hello, schema, the step started and answered through the
protocol) but the step itself did not succeed on this input: an error it
raised, an input it refused, or an output other than `success`. Whether
that is the plugin's fault or this machine's (a service or a binary that
only its container has) is for the caller to say; the protocol is sound.
"""

import argparse
import json
import os
import subprocess
import sys
import threading

TIMEOUT = 60
WHY_STDOUT = (
    "The engine and docsgen read the plugin's standard output: ATP messages "
    "(CBOR) with --atp, the schema with --schema. Anything else written there, "
    "such as a print() at import time (module level), corrupts it. Remove the "
    "print, or write to sys.stderr."
)


class Failed(Exception):
    pass


class StepFailed(Failed):
    """ATP worked; the step did not succeed (see exit code 3)."""


def gist(text):
    """The line that says what went wrong, from an error the plugin sent:
    the SDK's validation message, else the last exception line."""
    lines = [ln.strip() for ln in str(text).replace("\\n", "\n").splitlines()]
    lines = [ln for ln in lines if ln]
    for ln in lines:
        if "Validation failed for" in ln:
            return ln[ln.index("Validation failed for"):]
    for ln in reversed(lines):
        if not ln.startswith(("File ", "Traceback", "^", "'", "}")) and ":" in ln:
            return ln
    return lines[0] if lines else str(text)


class Recorder:
    """The plugin's stdout, with every byte read kept to show on failure."""

    def __init__(self, raw):
        self.raw = raw
        self.seen = bytearray()

    def read(self, n=-1):
        data = self.raw.read(n)
        if data:
            self.seen.extend(data)
        return data

    def readinto(self, b):
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)


def shown(data, limit=300):
    text = bytes(data[:limit]).decode("utf-8", "replace")
    return repr(text) + (" ..." if len(data) > limit else "")


def leading_text(data):
    """The printable text the plugin wrote before its first ATP message."""
    end = 0
    for i, b in enumerate(data):
        if b in (9, 10, 13) or 32 <= b < 127:
            end = i + 1
        else:
            break
    return bytes(data[:end]).decode("ascii").strip()


def check_schema(entry, code_dir, env):
    import yaml
    from arcaflow_plugin_sdk import schema

    cmd = [sys.executable, os.path.basename(entry), "--schema"]
    print("$ (in %s) %s" % (code_dir, " ".join(cmd)), flush=True)
    p = subprocess.run(
        cmd, cwd=code_dir, env=env, capture_output=True, timeout=TIMEOUT
    )
    out = p.stdout.decode("utf-8", "replace")
    if p.returncode != 0:
        raise Failed(
            "--schema exited %d:\n%s"
            % (p.returncode, p.stderr.decode("utf-8", "replace")[-2000:])
        )
    try:
        doc = yaml.safe_load(out)
        # Before unserialize, which may change doc in place.
        clean = yaml.dump(doc) == out
        schema.SCHEMA_SCHEMA.unserialize(doc)
    except Exception as e:  # noqa: B902 (any parse error means the same)
        doc, clean = None, False
        parse_error = str(e).splitlines()[0] if str(e) else type(e).__name__
    if not clean:
        first = out.splitlines()[0] if out else ""
        detail = (
            "the first line is %r" % first
            if doc is None
            else "it has more than the schema"
        )
        if doc is None:
            detail += " (%s)" % parse_error
        raise Failed(
            "--schema printed something besides the schema: %s.\n%s"
            % (detail, WHY_STDOUT)
        )
    steps = sorted((doc or {}).get("steps", {}))
    print("ok: --schema prints only the schema (steps: %s)" % ", ".join(steps))


def check_atp(entry, code_dir, env, step, params):
    from arcaflow_plugin_sdk import atp

    cmd = [sys.executable, os.path.basename(entry), "--atp"]
    print("$ (in %s) %s" % (code_dir, " ".join(cmd)), flush=True)
    # bufsize=0: with a buffered pipe the first message is never flushed and
    # both sides wait for ever.
    proc = subprocess.Popen(
        cmd,
        cwd=code_dir,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        bufsize=0,
    )
    err = bytearray()
    reader = threading.Thread(
        target=lambda: err.extend(proc.stderr.read()), daemon=True
    )
    reader.start()
    out = Recorder(proc.stdout)
    client = atp.PluginClient(proc.stdin, out)
    # Reads block on the plugin: a watchdog kills it so that a hang is reported.
    timer = threading.Timer(TIMEOUT, proc.kill)
    timer.start()
    stage = "the hello"
    try:
        try:
            # Inside: a plugin that died at import breaks this write's pipe.
            client.start_output()
            hello = client.read_hello()
        except Exception as e:  # noqa: B902
            raise hello_failure(proc, out, err, e)
        steps = sorted(hello.schema.steps)
        print(
            "ok: hello, ATP version %d, steps: %s" % (hello.version, ", ".join(steps))
        )
        if step not in hello.schema.steps:
            raise Failed(
                "the hello's schema has no step %r (it has: %s)"
                % (step, ", ".join(steps))
            )
        stage = "the result of step %s" % step
        client.start_work("atp-check", step, params)
        try:
            result = client.read_single_result()
        except atp.PluginClientStateException as e:
            # The plugin answered through ATP that the step failed: a sound
            # exchange about a step that did not succeed here.
            if "Error received from ATP Server" in str(e):
                raise StepFailed(
                    "step %s did not succeed: %s" % (step, gist(e))
                ) from e
            raise
        data = json.dumps(result.output_data, sort_keys=True)
        print("step %s: output %s: %s" % (step, result.output_id, data))
        if result.output_id != "success":
            raise StepFailed(
                "step %s returned %r, not 'success': %s"
                % (step, result.output_id, data)
            )
        stage = "exit after client-done"
        client.send_client_done()
        proc.stdin.close()
        code = proc.wait(timeout=TIMEOUT)
        if code != 0:
            raise Failed("after client-done the plugin exited %d, not 0" % code)
        print("ok: client-done, the plugin exited 0")
    except Failed:
        raise
    except Exception as e:  # noqa: B902 (broken pipe, CBOR error, timeout)
        raise Failed(
            "the ATP exchange broke at %s: %s: %s%s"
            % (stage, type(e).__name__, e, stderr_tail(err))
        )
    finally:
        timer.cancel()
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def hello_failure(proc, out, err, e):
    # The decoder stopped somewhere in what the plugin wrote: let the plugin
    # end (or end it), then read the rest, to show the whole cause.
    try:
        code = proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        code = None
        proc.kill()
        proc.wait()
    out.seen.extend(proc.stdout.read() or b"")
    text = leading_text(out.seen)
    if text:
        return Failed(
            "the plugin wrote text to its standard output before the ATP hello: "
            "%r.\n%s" % (text[:200], WHY_STDOUT)
        )
    if code is not None:
        return Failed(
            "the plugin exited %d before its ATP hello%s"
            % (code, stderr_tail(err))
        )
    return Failed(
        "no valid ATP hello (%s: %s); the plugin wrote %s%s"
        % (type(e).__name__, e, shown(out.seen), stderr_tail(err))
    )


def stderr_tail(err):
    text = bytes(err).decode("utf-8", "replace").strip()
    if not text:
        return ""
    return "\nits stderr:\n" + "\n".join(text.splitlines()[-15:])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--entry", required=True)
    ap.add_argument("--step", required=True)
    ap.add_argument("--input-json", required=True)
    ap.add_argument("--input-file")
    a = ap.parse_args()
    entry = os.path.abspath(a.entry)
    if not os.path.isfile(entry):
        print("no such entry module: %s" % entry, file=sys.stderr)
        return 2
    if a.input_file and os.path.isfile(a.input_file):
        import yaml

        with open(a.input_file) as f:
            params = yaml.safe_load(f)
        print("input: %s" % a.input_file)
    else:
        params = json.loads(a.input_json)
        print("input: %s" % a.input_json)
    code_dir = os.path.dirname(entry)
    env = dict(os.environ)
    # The image runs the entry module from the code folder, with nothing else
    # on the path: the same here.
    env.pop("PYTHONPATH", None)
    failed = 0
    step_failed = 0
    # Both run even when the first fails: each names its own cause.
    for check in (
        lambda: check_schema(entry, code_dir, env),
        lambda: check_atp(entry, code_dir, env, a.step, params),
    ):
        try:
            check()
        except StepFailed as f:
            print("ok: the plugin answered through ATP", flush=True)
            print("STEP FAILED: %s" % f, flush=True)
            step_failed += 1
        except Failed as f:
            print("FAILED: %s" % f, flush=True)
            failed += 1
    if failed:
        return 1
    if step_failed:
        return 3
    print("The ATP round trip works: the engine can run this plugin.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
