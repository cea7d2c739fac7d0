from contractgen.pacing import ParagraphStreams, settled


class Feed:
    """A growing text released a few characters per read, like a live generation."""

    def __init__(self, text, step):
        self.text, self.step, self.released, self.reads = text, step, 0, 0

    def read(self, offset, wait):
        self.reads += 1
        self.released = min(len(self.text), self.released + self.step)
        return self.text[offset:self.released], self.released == len(self.text)


TEXT = "# Title\n\nFirst paragraph, fairly long.\n\n## 1. Section\n\nSecond paragraph.\n\n\n\nThird after extra blank lines."


def test_paragraphs_rejoin_to_the_text():
    for step in (1, 3, 7, 1000):
        streams = [list(p) for p in ParagraphStreams(Feed(TEXT, step).read, interval=0)]
        assert ["".join(p) for p in streams] == ["# Title", "First paragraph, fairly long.", "## 1. Section",
                                                 "Second paragraph.", "Third after extra blank lines."]


def test_updates_are_coalesced_by_time():
    clock = [0.0]
    feed = Feed(TEXT, 2)

    def read(offset, wait):
        clock[0] += 0.05  # every read takes 50 ms of the clock
        return feed.read(offset, wait)

    streams = [list(p) for p in ParagraphStreams(read, interval=0.25, clock=lambda: clock[0])]
    updates = sum(len(p) for p in streams)
    # One update per 2-character read would be ~50; a 0.25 s interval over 50 ms reads gives ~5 reads per update.
    assert updates <= len(TEXT) // 2 // 4 + len(streams)
    assert "".join("".join(p) for p in streams).replace("\n", "") == TEXT.replace("\n", "")


def test_whole_text_at_once_gives_one_update_per_paragraph():
    streams = [list(p) for p in ParagraphStreams(Feed(TEXT, 10_000).read, interval=0.25)]
    assert all(len(p) == 1 for p in streams)


def test_start_offset_skips_what_is_already_shown():
    start = settled(TEXT[:30])
    assert TEXT[:start].endswith("\n\n")
    streams = ["".join(p) for p in ParagraphStreams(Feed(TEXT, 5).read, start=start, interval=0)]
    assert streams[0] == "First paragraph, fairly long."


def test_settled_without_a_paragraph_break():
    assert settled("no break yet") == 0
