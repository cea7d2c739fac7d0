from contractgen.structure import StructureParser, parse

DOC = "# Terms\n\nPreamble text.\n\n## 1. First\n\nIntro.\n\n### 1.1 Alpha\n\nA text.\n\n### 1.2 Beta\n\nB text.\n\n## 2. Second\n\nNo subsections here.\n"


def test_sections_and_subsections():
    doc = parse(DOC)
    assert doc.title == "Terms"
    assert [s.to_dict() for s in doc.sections] == [
        {"number": 1, "title": "First", "subsections": [
            {"number": "1.1", "title": "Alpha", "text": "A text."},
            {"number": "1.2", "title": "Beta", "text": "B text."}]},
        {"number": 2, "title": "Second", "subsections": []},
    ]
    assert doc.sections[1].text.strip() == "No subsections here."


def test_text_before_the_first_heading_belongs_to_no_section():
    doc = parse("Some words.\n\nMore.\n\n## 1. Only\n\nBody.\n")
    assert [s.title for s in doc.sections] == ["Only"]


def test_headings_split_across_deltas_at_every_position():
    for size in range(1, 12):
        parser = StructureParser()
        for i in range(0, len(DOC), size):
            parser.feed(DOC[i:i + size])
        parser.finish()
        assert [(s.number, s.title, [x.title for x in s.subsections]) for s in parser.sections] == [
            (1, "First", ["Alpha", "Beta"]), (2, "Second", [])], size


def test_a_section_is_complete_when_the_next_heading_arrives():
    parser = StructureParser()
    parser.feed("## 1. First\n\nBody.\n\n## 2. Sec")
    assert [s.number for s in parser.completed] == []
    parser.feed("ond\n")
    assert [s.number for s in parser.completed] == [1]
    parser.finish()
    assert [s.number for s in parser.completed] == [1, 2]


def test_heading_variants():
    doc = parse("## 3 Without dot\n\n### 3.1. With dot\n\n## 4. Trailing hashes ##\n")
    assert [(s.number, s.title) for s in doc.sections] == [(3, "Without dot"), (4, "Trailing hashes")]
    assert doc.sections[0].subsections[0].title == "With dot"
