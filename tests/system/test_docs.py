"""The docs come with the repository and agree with the code.

- No file points outside the repository to the project's old notes folder.
- Every relative link in README.md, docs/*.md and services/*/README.md reaches a
  file (and, for a #fragment into Markdown, a heading) that exists.
- The port table of docs/architecture.md is services/list.txt's.
"""
import glob
import json
import os
import re
import subprocess
import unicodedata

import pytest

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))

# Built from parts so that this file does not contain what it looks for.
OUTSIDE = ("..", "shared", "")
OUTSIDE_PATH = "/".join(OUTSIDE).encode()          # the folder beside the project root
OUTSIDE_NOTES = ("DESIGN" + ".md", "DOMAIN" + ".md")  # the notes that lived there

SKIP_DIRS = {".git", "build", "var", "__pycache__", ".pytest_cache"}


def repo_files():
    """Paths (relative to ROOT) of the repository's files: what git tracks plus
    untracked files it does not ignore; without git, a walk that skips build
    output and .git."""
    try:
        out = subprocess.run(
            ["git", "-C", ROOT, "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            check=True, capture_output=True).stdout
        files = [f for f in out.decode("utf-8", "surrogateescape").split("\0") if f]
        return [f for f in files if os.path.isfile(os.path.join(ROOT, f))]
    except (OSError, subprocess.CalledProcessError):
        files = []
        for folder, dirs, names in os.walk(ROOT):
            dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
            files += [os.path.relpath(os.path.join(folder, n), ROOT) for n in names
                      if n != ".git"]
        return files


def markdown_docs():
    paths = [os.path.join(ROOT, "README.md")]
    paths += sorted(glob.glob(os.path.join(ROOT, "docs", "*.md")))
    paths += sorted(glob.glob(os.path.join(ROOT, "services", "*", "README.md")))
    return [p for p in paths if os.path.isfile(p)]


def rel(path):
    return os.path.relpath(path, ROOT)


# --- Markdown, as much of it as links need -------------------------------------------

FENCE = re.compile(r"^\s{0,3}(```+|~~~+)")
CODE_SPAN = re.compile(r"(`+)(?:(?!\1).)+?\1")
INLINE_LINK = re.compile(
    r"!?\[(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*\]"       # [text], one level of nested brackets
    r"\(\s*(<[^>\n]*>|[^\s()<>]+(?:\([^\s()]*\)[^\s()<>]*)*)"  # (target
    r"(?:\s+(?:\"[^\"]*\"|'[^']*'|\([^)]*\)))?\s*\)")           # "title")
REFERENCE_DEF = re.compile(r"^\s{0,3}\[([^\]^][^\]]*)\]:\s*(<[^>]*>|\S+)")
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


def prose_lines(text):
    """(line number, line) outside fenced code blocks, with code spans blanked."""
    fence = None
    for number, line in enumerate(text.splitlines(), 1):
        match = FENCE.match(line)
        if fence:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            continue
        yield number, CODE_SPAN.sub(lambda m: " " * len(m.group(0)), line)


def links(text):
    """(line number, target) of every inline link, image and reference definition."""
    for number, line in prose_lines(text):
        definition = REFERENCE_DEF.match(line)
        if definition:
            yield number, definition.group(2).strip("<>")
            continue
        for match in INLINE_LINK.finditer(line):
            yield number, match.group(1).strip("<>")


def slug(heading):
    """The anchor GitHub gives a heading: markup dropped, lower case, punctuation
    removed, spaces as hyphens."""
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link keeps its text
    text = re.sub(r"<[^>]+>", "", text).lower()
    kept = []
    for ch in text:
        if ch in " -_" or unicodedata.category(ch)[0] in "LNM":
            kept.append(ch)
    return "".join(kept).replace(" ", "-")


def anchors(path):
    found, seen = set(), {}
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for _, line in prose_lines(text):
        match = HEADING.match(line)
        if not match:
            continue
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        found.add(base if count == 0 else "%s-%d" % (base, count))
    return found


# --- the tests -----------------------------------------------------------------------


def test_nothing_points_outside_the_repository():
    offenders = []
    for path in repo_files():
        with open(os.path.join(ROOT, path), "rb") as f:
            data = f.read()
        for number, line in enumerate(data.split(b"\n"), 1):
            if OUTSIDE_PATH in line:
                offenders.append("%s:%d: %s" % (path, number, line.decode("utf-8", "replace").strip()))
    assert not offenders, "files that point outside the repository:\n" + "\n".join(offenders)


def test_the_markdown_docs_name_no_notes_from_outside():
    offenders = []
    for path in markdown_docs():
        with open(path, encoding="utf-8") as f:
            for number, line in enumerate(f, 1):
                for name in OUTSIDE_NOTES:
                    if name in line and not os.path.exists(os.path.join(os.path.dirname(path), name)):
                        offenders.append("%s:%d: %s" % (rel(path), number, line.strip()))
    assert not offenders, ("name docs/domain.md or docs/architecture.md instead:\n"
                           + "\n".join(offenders))


def test_the_docs_exist():
    for name in ("domain.md", "architecture.md"):
        assert os.path.isfile(os.path.join(ROOT, "docs", name)), "docs/%s is missing" % name
    with open(os.path.join(ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    assert "(docs/domain.md)" in readme and "(docs/architecture.md)" in readme


@pytest.mark.parametrize("doc", markdown_docs(), ids=rel)
def test_every_relative_link_reaches_a_file(doc):
    with open(doc, encoding="utf-8") as f:
        text = f.read()
    broken = []
    for number, target in links(text):
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target) or target.startswith("//"):
            continue  # https:, mailto: and the like
        path, _, fragment = target.partition("#")
        path = path.split("?", 1)[0]
        where = "%s:%d: (%s)" % (rel(doc), number, target)
        resolved = os.path.normpath(os.path.join(os.path.dirname(doc), path)) if path else doc
        if os.path.relpath(resolved, ROOT).startswith(".."):
            broken.append(where + " leaves the repository")
        elif not os.path.exists(resolved):
            broken.append(where + " does not exist")
        elif fragment and resolved.endswith(".md") and os.path.isfile(resolved):
            if fragment.lower() not in anchors(resolved):
                broken.append(where + " names no heading of " + rel(resolved))
    assert not broken, "broken links:\n" + "\n".join(broken)


def test_slugs_are_githubs():
    assert slug("Sockets and ports") == "sockets-and-ports"
    assert slug("The indicators (§6)") == "the-indicators-6"
    assert slug("Request and reply") == "request-and-reply"
    assert slug("Security (to come)") == "security-to-come"
    assert slug("`shr_config` and [docs](docs/x.md)") == "shr_config-and-docs"


# --- ports ---------------------------------------------------------------------------


def ports_in_code():
    """{service: (api, events)} from services/list.txt, the one list of the
    services; the events port is the next one, as libshared's port table has it."""
    ports = {}
    with open(os.path.join(ROOT, "services", "list.txt"), encoding="utf-8") as f:
        for line in f:
            fields = line.split("#", 1)[0].split()
            if fields:
                ports[fields[0]] = (int(fields[1]), int(fields[1]) + 1)
    assert ports, "services/list.txt lists no service"
    return ports


def ports_in_docs():
    """{service: (api, events)} from the table under "Sockets and ports"."""
    with open(os.path.join(ROOT, "docs", "architecture.md"), encoding="utf-8") as f:
        text = f.read()
    section = re.search(r"^## Sockets and ports\s*$(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert section, "docs/architecture.md has no section 'Sockets and ports'"
    ports, header = {}, None
    for line in section.group(1).splitlines():
        if not line.strip().startswith("|"):
            if header:
                break  # the end of the first table
            continue
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if header is None:
            header = [c.lower() for c in cells]
            assert header[0] == "service" and "api" in header[1] and "events" in header[2], header
            continue
        if set("".join(cells)) <= set("-: "):
            continue  # the delimiter row
        assert cells[1].isdigit() and cells[2].isdigit(), "not a port row: " + line
        assert cells[0] not in ports, "%s listed twice" % cells[0]
        ports[cells[0]] = (int(cells[1]), int(cells[2]))
    assert ports, "no port table under 'Sockets and ports'"
    return ports


def test_the_port_table_matches_the_code():
    code, docs = ports_in_code(), ports_in_docs()
    assert docs == code, ("docs/architecture.md %s\nservices/list.txt %s"
                          % (sorted(docs.items()), sorted(code.items())))


def test_every_port_is_used_once():
    used = [port for pair in ports_in_code().values() for port in pair]
    assert len(used) == len(set(used)), sorted(used)


# --- roles ---------------------------------------------------------------------------

def op_roles(service):
    """{op: set of roles} from the x-op of every request schema of service."""
    roles = {}
    for path in glob.glob(os.path.join(ROOT, "schemas", service, "*.request.json")):
        with open(path, encoding="utf-8") as f:
            schema = json.load(f)
        op = os.path.basename(path)[:-len(".request.json")]
        roles[op] = set(schema.get("x-op", {}).get("roles", []))
    return roles


def readme_roles(path):
    """{op: set of roles} from the rows of every table of a service README whose
    header has a 'roles' column. A cell `a.b`, `.c` names a.b and a.c."""
    found = {}
    roles_column = None
    with open(path, encoding="utf-8") as f:
        for line in f:
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if not line.lstrip().startswith("|"):
                roles_column = None
            elif "roles" in cells:
                roles_column = cells.index("roles")
            elif roles_column is not None and not set(cells[0]) <= set("-: "):
                ops, entity = [], ""
                for name in re.findall(r"`([^`]+)`", cells[0]):
                    if name.startswith("."):
                        name = entity + name
                    entity = name.rsplit(".", 1)[0]
                    ops.append(name)
                for op in ops:
                    found[op] = set(re.findall(r"`([^`]+)`", cells[roles_column]))
    return found


SERVICE_READMES = sorted(glob.glob(os.path.join(ROOT, "services", "*", "README.md")))


@pytest.mark.parametrize("readme", SERVICE_READMES, ids=rel)
def test_the_roles_a_readme_gives_are_the_schemas(readme):
    service = os.path.basename(os.path.dirname(readme))
    in_schemas = op_roles(service)
    if not in_schemas:
        pytest.skip("%s has no ops of its own yet" % service)
    in_readme = readme_roles(readme)
    assert set(in_readme) == set(in_schemas), (
        "%s: ops without a row with roles: %s; rows for ops that do not exist: %s"
        % (rel(readme), sorted(set(in_schemas) - set(in_readme)),
           sorted(set(in_readme) - set(in_schemas))))
    wrong = ["%s: README %s, schema %s" % (op, sorted(in_readme[op]), sorted(in_schemas[op]))
             for op in sorted(in_schemas) if in_readme[op] != in_schemas[op]]
    assert not wrong, rel(readme) + ": roles differ:\n" + "\n".join(wrong)


def test_readme_roles_reads_a_table():
    import tempfile
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
        f.write("| op | does | roles |\n| --- | --- | --- |\n"
                "| `a.start`, `.stop` | x | `dispatcher`, `reader` |\n\n| op | y |\n| `b.c` | z |\n")
    try:
        assert readme_roles(f.name) == {"a.start": {"dispatcher", "reader"},
                                        "a.stop": {"dispatcher", "reader"}}
    finally:
        os.unlink(f.name)
