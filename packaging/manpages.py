#!/usr/bin/env python3
"""manpages.py: writes evtriage's man pages from its own --help, so they cannot drift from it.

usage: manpages.py EVTRIAGE OUTDIR VERSION EXTRA_ROFF RULES_DIR

Runs `EVTRIAGE --help` (the commands come from its "commands:" list) and `EVTRIAGE COMMAND --help`
for each, and writes OUTDIR/evtriage.1.gz and OUTDIR/evtriage-COMMAND.1.gz: NAME (the command's
summary line), SYNOPSIS (its usage lines), DESCRIPTION (the text before "options:"), OPTIONS (one
entry per option line, continuation lines joined), EXIT STATUS (from "exit codes:"), the other
text after the options as NOTES. EXTRA_ROFF holds the hand-written parts of evtriage(1): more
DESCRIPTION, then (after a line `.\\" @COMMANDS@`, where the generated COMMANDS list goes) FILES,
ENVIRONMENT and so on, with @RULES_DIR@ replaced. The date is SOURCE_DATE_EPOCH's, else none, and the
gzip header has no time: the same binary gives the same bytes.
"""
import gzip
import os
import re
import subprocess
import sys
import time


def run_help(exe, *args):
    out = subprocess.run([exe, *args, "--help"], capture_output=True, text=True,
                         env=dict(os.environ, NO_COLOR="1"))
    if out.returncode != 0 or not out.stdout.strip():
        sys.exit("manpages.py: `%s --help` exited %d with %s: the man pages are made from it\n%s"
                 % (" ".join(["evtriage", *args]), out.returncode, "output" if out.stdout else "no output", out.stderr))
    return out.stdout


def esc(text):
    """roff-escapes text: backslashes, hyphens (so options copy as typed), leading dots/quotes."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return re.sub(r"^([.'])", r"\\&\1", text, flags=re.M)


def blocks(help_text):
    """Paragraphs (lists of lines) split at blank lines."""
    out, cur = [], []
    for line in help_text.rstrip("\n").split("\n"):
        if line.strip():
            cur.append(line.rstrip())
        elif cur:
            out.append(cur)
            cur = []
    if cur:
        out.append(cur)
    return out


def desc_column(lines):
    """The column most option descriptions start at (two spaces or more after the option)."""
    cols = {}
    for line in lines:
        m = re.match(r"^(\s+-\S.*?\S)\s{2,}\S", line)
        if m:
            col = len(line) - len(line[len(m.group(1)):].lstrip())
            cols[col] = cols.get(col, 0) + 1
    return max(cols, key=cols.get) if cols else 0


def split_entries(lines, pattern):
    """Tagged entries [tag, description] of lines whose entry lines match pattern (tag first, then
    the description at the common column or after two spaces); other lines continue the last."""
    col = desc_column(lines) if pattern == "option" else 0
    entries = []
    for line in lines:
        stripped = line.strip()
        starts = stripped.startswith("-") if pattern == "option" else not line.startswith(" ")
        if starts:
            if col and len(line) > col and line[col - 1] == " " and line[col] != " " and line[:col].strip():
                tag, text = line[:col].strip(), line[col:].strip()
            else:
                parts = re.split(r"\s{2,}", stripped, maxsplit=1)
                tag, text = parts[0], parts[1] if len(parts) > 1 else ""
            entries.append([tag, text])
        elif entries:
            entries[-1][1] = (entries[-1][1] + " " + stripped).strip()
    return entries


def tag_roff(tag):
    """"-j, --jobs N" -> bold option names, italic argument."""
    out = []
    for part in re.split(r"(,\s+)", tag):
        if part.startswith(","):
            out.append(", ")
            continue
        words = part.split(" ", 1)
        piece = "\\fB" + esc(words[0]) + "\\fR"
        if len(words) > 1:
            piece += " \\fI" + esc(words[1]) + "\\fR"
        out.append(piece)
    return "".join(out)


def exit_codes(text):
    """"exit codes: 0 ok, 1 ..., 2 ..." -> [(code, meaning)]."""
    body = re.sub(r"\s+", " ", text.split(":", 1)[1]).strip()
    return [tuple(item.split(" ", 1)) for item in re.split(r",\s+(?=\d+\s)", body)]


def parse(help_text):
    """usage lines, description lines, option entries, exit codes, other notes."""
    usage, desc, options, codes, notes = [], [], [], [], []
    seen_options = False
    for block in blocks(help_text):
        lines = list(block)
        if lines[0].startswith("usage:"):
            usage = [re.sub(r"^usage:\s*", "", lines[0])] + [l.strip() for l in lines[1:]]
            continue
        if lines[0].strip() == "options:":
            options = split_entries(lines[1:], "option")
            seen_options = True
            continue
        if lines[0].strip() == "commands:":
            continue
        rest = []
        for i, line in enumerate(lines):
            if line.startswith("exit codes:"):
                codes = exit_codes(" ".join(l.strip() for l in lines[i:]))
                break
            rest.append(line)
        if rest:
            (notes if seen_options else desc).append(rest)
    return usage, desc, options, codes, notes


def paragraphs(blocks_):
    """Description blocks as roff: plain lines as one paragraph; "word   text" lists as .TP."""
    out = []
    for block in blocks_:
        if len(block) > 1 and re.match(r"^\S+\s{2,}\S", block[0]) and block[1].startswith(" "):
            for tag, text in split_entries(block, "word"):
                out += [".TP", "\\fB" + esc(tag) + "\\fR", esc(text)]
        else:
            out += [".PP", esc(" ".join(l.strip() for l in block))]
    return out


def page(name, summary, version, date, help_text, desc_extra, extra, see_also):
    usage, desc, options, codes, notes = parse(help_text)
    out = ['.\\" generated by packaging/manpages.py from `%s --help`: do not edit' % name.replace("-", " ", 1),
           '.TH %s 1 "%s" "evtriage %s" "User Commands"' % (esc(name.upper()), date, version),
           ".SH NAME", "%s \\- %s" % (esc(name), esc(summary)), ".SH SYNOPSIS", ".nf"]
    for u in usage:
        words = u.split(" ")
        n = 2 if len(words) > 1 and name != "evtriage" else 1
        out.append("\\fB" + esc(" ".join(words[:n])) + "\\fR " + esc(" ".join(words[n:])))
    out += [".fi", ".SH DESCRIPTION"] + paragraphs(desc)
    if desc_extra.strip():
        out.append(desc_extra.rstrip("\n"))
    if options:
        out.append(".SH OPTIONS")
        for tag, text in options:
            out += [".TP", tag_roff(tag), esc(text)]
    if extra:
        out.append(extra.rstrip("\n"))
    if notes:
        out += [".SH NOTES"] + paragraphs(notes)
    if codes:
        out.append(".SH EXIT STATUS")
        for code, meaning in codes:
            out += [".TP", "\\fB%s\\fR" % code, esc(meaning)]
    out.append(see_also.rstrip("\n"))
    return "\n".join(out) + "\n"


def commands_of(main_help):
    """(name, summary) of each command in the "commands:" list of evtriage --help."""
    cmds, inside = [], False
    for line in main_help.split("\n"):
        if line.strip() == "commands:":
            inside = True
        elif inside and not line.strip():
            break
        elif inside:
            name, summary = line.strip().split(None, 1)
            cmds.append((name, summary.strip()))
    return cmds


def write_gz(path, text):
    with open(path, "wb") as f, gzip.GzipFile(filename="", mode="wb", fileobj=f, mtime=0, compresslevel=9) as g:
        g.write(text.encode("utf-8"))


def main():
    exe, outdir, version, extra_path, rules_dir = sys.argv[1:6]
    sde = os.environ.get("SOURCE_DATE_EPOCH")
    date = time.strftime("%Y-%m-%d", time.gmtime(int(sde))) if sde else ""
    os.makedirs(outdir, exist_ok=True)
    main_help = run_help(exe)
    cmds = commands_of(main_help)
    with open(extra_path, encoding="utf-8") as f:
        extra = f.read().replace("@RULES_DIR@", esc(rules_dir))
    desc_extra, extra = extra.split('.\\" @COMMANDS@\n', 1)
    listing = [".SH COMMANDS"]
    for name, summary in cmds:
        listing += [".TP", "\\fB%s\\fR" % esc(name), "%s; \\fBevtriage\\-%s\\fR(1)" % (esc(summary), esc(name))]
    see_also = ".SH SEE ALSO\n" + ",\n".join("\\fBevtriage\\-%s\\fR(1)" % esc(n) for n, _ in cmds) + "\n"
    pages = {"evtriage": page("evtriage", "offline Windows event-log (EVTX) analyzer", version, date, main_help,
                              desc_extra, "\n".join(listing) + "\n" + extra, see_also)}
    for name, summary in cmds:
        pages["evtriage-" + name] = page("evtriage-" + name, summary, version, date, run_help(exe, name),
                                         "", "", ".SH SEE ALSO\n\\fBevtriage\\fR(1)\n")
    keep = set()
    for name, text in pages.items():
        write_gz(os.path.join(outdir, name + ".1.gz"), text)
        keep.add(name + ".1.gz")
    for stale in set(os.listdir(outdir)) - keep:   # a command that is gone takes its page with it
        if stale.endswith(".1.gz"):
            os.remove(os.path.join(outdir, stale))


if __name__ == "__main__":
    main()
