"""What a sandbox keeps of a cell's outputs: printed text and rich displays, each up to a limit.
The judge reads the same limits when it turns them into notebook outputs."""

import io

OUTPUT_LIMIT = 20_000  # characters of printed output kept per cell


class BoundedText(io.TextIOBase):
    """Collects printed text up to a limit; the rest is counted, not kept."""

    def __init__(self, limit=OUTPUT_LIMIT):
        self.parts, self.size, self.dropped, self.limit = [], 0, 0, limit

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        room = self.limit - self.size
        if room > 0:
            self.parts.append(text[:room])
            self.size += min(len(text), room)
        self.dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def text(self):
        out = "".join(self.parts)
        if self.dropped:
            out += f"\n[... {self.dropped} more characters of output not shown]\n"
        return out


DISPLAY_LIMIT = 2_000_000  # characters of rich output (figures, HTML, reprs) kept per cell
DISPLAY_MIMETYPES = ("text/plain", "text/html", "text/markdown", "text/latex", "image/png",
                     "image/jpeg", "image/svg+xml")


class CellOutputs(BoundedText):
    """One cell's outputs in the order a kernel would send them: printed text (stdout and
    stderr, up to OUTPUT_LIMIT characters in all) and rich output (`display(...)`, a trailing
    expression's value, a figure: up to DISPLAY_LIMIT characters, kept mimetypes only)."""

    encoding = "utf-8"  # as a kernel's streams say (IPython's timings then print "µs")

    def __init__(self):
        super().__init__()
        self.items = []  # {"type": "stream", "text": ...} or {"type": kind, "data": {...}}
        self.data_size = self.data_dropped = 0

    def write(self, text):
        before = len(self.parts)
        written = super().write(text)
        kept = "".join(self.parts[before:])
        if kept:
            if self.items and self.items[-1]["type"] == "stream":
                self.items[-1]["text"] += kept
            else:
                self.items.append({"type": "stream", "text": kept})
        return written

    def display(self, kind, data):
        """Record a display_data or execute_result bundle (images as base64 text)."""
        import base64

        bundle = {}
        for mime, value in (data or {}).items():
            if mime in DISPLAY_MIMETYPES:
                if isinstance(value, bytes):
                    value = base64.b64encode(value).decode("ascii")
                if isinstance(value, str):
                    bundle[mime] = value
        size = 100 + sum(len(v) for v in bundle.values())
        if not bundle:
            return
        if self.data_size + size > DISPLAY_LIMIT:
            self.data_dropped += 1
            return
        self.data_size += size
        self.items.append({"type": kind, "data": bundle})

    def clear(self):
        """`clear_output()`: what the cell showed so far goes (its share of the limits stays used)."""
        self.items = []

    def outputs(self):
        notes = []
        if self.dropped:
            notes.append(f"[... {self.dropped} more characters of output not shown]")
        if self.data_dropped:
            notes.append(f"[... {self.data_dropped} more displayed outputs not shown: "
                         "over the size limit]")
        return self.items + ([{"type": "stream", "text": "\n" + "\n".join(notes) + "\n"}] if notes else [])
