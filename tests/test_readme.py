"""The README's walkthrough works exactly as written (issue 20): its page steps done as it says, then its
commands and requests run in its order (`drec` in process, `curl` through the app, the rest as a shell would)."""

import contextlib
import io
import json
import re
import shlex
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from dapp import cli, demo, platform
from tests.factories.accounts import signed_in

README = Path(__file__).parents[1] / "README.md"
SERVER = "http://127.0.0.1:5000"


def walkthrough() -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index("## Try the whole flow by hand")
    return text[start : text.index("\n## ", start + 1)]


def commands(section: str) -> list[str]:
    """Each command of the section's `sh` blocks, with its continued lines joined."""
    found = []
    for block in re.findall(r"```sh\n(.*?)```", section, re.S):
        found += [line.strip() for line in block.replace("\\\n", " ").splitlines() if line.strip()]
    return found


def demo_login(role: str) -> tuple[str, str]:
    """The email and password the README's table gives for `role`."""
    row = re.search(rf"^\| {role} \| (\S+) \| (\S+) \|$", README.read_text(encoding="utf-8"), re.M)
    assert row is not None, f"the README names no {role} login"
    return row.group(1), row.group(2)


class Shell:
    """Runs the README's command lines: variables, `$(…)`, pipes, `curl` against the app, `drec` in process."""

    def __init__(self, app: Flask, variables: dict[str, str]) -> None:
        self.app, self.variables = app, variables

    def run(self, line: str) -> str:
        assignment = re.fullmatch(r"(\w+)=\$\((.*)\)", line)
        if assignment:
            self.variables[assignment.group(1)] = self.run(assignment.group(2)).strip()
            return ""
        expanded = re.sub(r"\$(\w+)", lambda m: self.variables[m.group(1)], line)
        output = ""
        for stage in _stages(shlex.split(expanded)):
            output = self._one(stage, output)
        return output

    def _one(self, words: list[str], stdin: str) -> str:
        if words[0] == ".venv/bin/drec":
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                cli.main(words[1:])
            return printed.getvalue()
        if words[0] == "curl":
            return self._curl(words[1:])
        return subprocess.run([sys.executable if words[0] == "python3" else words[0], *words[1:]],
                              input=stdin, capture_output=True, text=True, check=True).stdout  # fmt: skip

    def _curl(self, words: list[str]) -> str:
        method, headers, data, url = "GET", {}, None, ""
        options = iter(words)
        for word in options:
            if word == "-X":
                method = next(options)
            elif word == "-H":
                name, value = next(options).split(":", 1)
                headers[name] = value.strip()
            elif word == "-d":
                data = next(options)
            elif word != "-s":
                url = word
        assert url.startswith(SERVER), url
        response = self.app.test_client().open(url[len(SERVER) :], method=method, headers=headers, data=data)
        assert response.status_code < 400, response.get_data(as_text=True)
        return response.get_data(as_text=True)


def _stages(words: list[str]) -> list[list[str]]:
    stages: list[list[str]] = [[]]
    for word in words:
        if word == "|":
            stages.append([])
        else:
            stages[-1].append(word)
    return stages


def make_key(app: Flask, role: str, preset_label: str) -> str:
    """Step 1 as written: sign in, choose the preset on the API keys page, create the key."""
    email, password = demo_login(role)
    member = signed_in(app, email, password)
    page = member.client.get("/api-keys").get_data(as_text=True)
    preset = re.search(rf'value="(\w+)"[^>]*> {re.escape(preset_label)}', page)
    assert preset is not None, f"no preset '{preset_label}' on the API keys page"
    created = member.form("/api-keys", {"name": f"{role} walkthrough", "preset": preset.group(1)})
    key = re.search(r'<code id="new-api-key">([^<]+)</code>', created.get_data(as_text=True))
    assert key is not None
    return key.group(1)


def test_the_readme_walkthrough_leads_to_a_certificate(app) -> None:
    platform.current().clock.set(datetime(2029, 6, 1, tzinfo=UTC))  # `make up` seeds the demo at the real time
    demo.seed()
    section = walkthrough()
    assert '"Send meter reads"' in section
    assert '"Reserve devices and claim certificates (buyers)"' in section
    variables = {
        "DEV_KEY": make_key(app, "developer", "Send meter reads"),
        "BUYER_KEY": make_key(app, "buyer", "Reserve devices and claim certificates (buyers)"),
    }
    shell = Shell(app, variables)
    outputs = [shell.run(line) for line in commands(section)]
    answers: list[Any] = [json.loads(o) for o in outputs if o.strip().startswith(("{", "["))]
    sent, reservation, issued, listed = answers
    assert (sent["accepted"], sent["flagged"], sent["rejected"]) == (2, 0, 0)
    assert reservation["name"] == "Walkthrough"
    assert len(issued["certificates"]) == 1
    [certificate] = listed["items"]
    assert certificate["volume_wh"] == 800
    assert datetime.fromisoformat(certificate["generation_start"]) == datetime(2030, 1, 1, 7, tzinfo=UTC)
