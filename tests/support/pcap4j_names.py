"""Pcap4J's named numbers, read from its jar, and the module of the project that holds them.

``Pcap4jNames.java`` (next to this file, in ``java/``) lists every constant of
``org.pcap4j.packet.namednumber`` by reflection, as Pcap4J's ``getInstance()`` finds it. Run as a script
this writes ``src/pycapture/protocols/pcap4j_names.py`` from those lines; the tests compare that module
with the jar, so a name is never copied by hand:

    PYTHONPATH=src .venv/bin/python tests/support/pcap4j_names.py
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SHARED = ROOT.parent / "shared"
JAR = SHARED / "pcap4j" / "pcap4j-2.0.0-alpha.6.jar"
CLASSPATH = ("/usr/share/java/jna.jar", "/usr/share/java/slf4j-api.jar")
MODULE = ROOT / "src" / "pycapture" / "protocols" / "pcap4j_names.py"

Names = dict[str, dict[int, str]]
Codes = dict[str, dict[int, dict[int, str]]]
Constants = dict[str, dict[str, int]]
Formats = dict[str, str]


def missing() -> str | None:
    """Why the jar's names cannot be read here, or None when they can."""
    if not JAR.is_file():
        return f"{JAR} is not present"
    if shutil.which("javac") is None or shutil.which("java") is None:
        return "javac is not installed (apt-get install openjdk-17-jdk-headless)"
    return None


def _value(text: str) -> int:
    if "-" in text[1:]:  # an OUI: 00-00-0c
        return int(text.replace("-", ""), 16)
    return int(text, 0)


def jar_names() -> tuple[Names, Codes, Constants, Formats]:
    """Every named number of the jar: (class: value: name, class: type: value: name, class: Java
    constant name: value for the classes of the first, and class: how its ``valueAsString()`` writes
    a value where that is not decimal)."""
    with tempfile.TemporaryDirectory() as classes:
        subprocess.run(
            ["javac", "-d", classes, "-cp", str(JAR), str(HERE / "java" / "Pcap4jNames.java")], check=True
        )
        lines = subprocess.run(
            ["java", "-cp", os.pathsep.join((classes, str(JAR), *CLASSPATH)), "Pcap4jNames", str(JAR)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.splitlines()
    names: Names = {}
    codes: Codes = {}
    constants: Constants = {}
    formats: Formats = {}
    for line in lines:
        if line.startswith("="):
            cls, field, value = line[1:].split("\t")
            constants.setdefault(cls, {})[field] = _value(value)
            continue
        cls, value, name = line.split("\t")
        if value.startswith("0x"):
            formats[cls] = f"0x{{:0{len(value) - 2}x}}"
        elif "-" in value[1:] and "/" not in value:
            formats[cls] = "oui"
        kind, _, code = value.rpartition("/")
        if kind:
            codes.setdefault(cls, {}).setdefault(_value(kind), {})[_value(code)] = name
        else:
            names.setdefault(cls, {})[_value(code)] = name  # Radiotap's registry has one namespace, ""
    constants = {cls: constants[cls] for cls in sorted(constants) if cls in names}
    return names, codes, constants, dict(sorted(formats.items()))


def module_text(names: Names, codes: Codes, constants: Constants, formats: Formats) -> str:
    """The Python module that holds ``names``, ``codes``, ``constants`` and ``formats``."""
    out = [
        '"""Pcap4J\'s named numbers (``org.pcap4j.packet.namednumber`` of Pcap4J 2.0.0-alpha.6): the names',
        "its dump prints for a number, by Pcap4J's class name. Where two constants share a value, the one",
        "``getInstance()`` returns.",
        "",
        "Generated from the jar by tests/support/pcap4j_names.py; do not edit, run it again. The tests",
        "compare this module with the jar.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "NAMES: dict[str, dict[int, str]] = {",
    ]
    for cls in sorted(names):
        out.append(f"    {cls!r}: {{".replace("'", '"'))
        out.extend(f"        {value}: {_quoted(name)}," for value, name in sorted(names[cls].items()))
        out.append("    },")
    out += ["}", '"""Class: value: name."""', "", "CODES: dict[str, dict[int, dict[int, str]]] = {"]
    for cls in sorted(codes):
        out.append(f'    "{cls}": {{')
        for kind in sorted(codes[cls]):
            out.append(f"        {kind}: {{")
            items = sorted(codes[cls][kind].items())
            out.extend(f"            {value}: {_quoted(name)}," for value, name in items)
            out.append("        },")
        out.append("    },")
    out += ["}", '"""Class: type: value: name, for the codes Pcap4J numbers per type (ICMP\'s)."""', ""]
    out.append("CONSTANTS: dict[str, dict[str, int]] = {")
    for cls in sorted(constants):
        out.append(f'    "{cls}": {{')
        out.extend(f'        "{field}": {value},' for field, value in constants[cls].items())
        out.append("    },")
    out += ["}", '"""Class: Java constant name: value, in Pcap4J\'s order (``EtherType.IPV4``)."""', ""]
    out.append("FORMATS: dict[str, str] = {")
    out.extend(f'    "{cls}": "{fmt}",' for cls, fmt in formats.items())
    out += [
        "}",
        '"""Class: how Pcap4J\'s ``valueAsString()`` writes a value (``str.format``, or ``oui`` for',
        '``08-00-5a``), for the classes that do not write it in decimal."""',
        "",
    ]
    return "\n".join(out)


def _quoted(text: str) -> str:
    """``text`` as a Python string literal in double quotes, as the formatter writes it."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


if __name__ == "__main__":
    why = missing()
    if why is not None:
        sys.exit(f"pcap4j_names: {why}")
    MODULE.write_text(module_text(*jar_names()), encoding="utf-8")
    print(f"wrote {MODULE}")
