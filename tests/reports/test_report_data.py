"""The report forms shipped as data (tracker/reports/data/*.json) against their contract and against the sources
they were transcribed from (docs/sources/): every answer's text is the source's, character for character."""

import json
import re
from datetime import date
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
DATA = REPOSITORY / "tracker" / "reports" / "data"
SOURCES = REPOSITORY / "docs" / "sources"
SOURCE_FILES = {"tillganglighet-2024": "001-tillganglighet-2024-redovisning-med-handlingsplan-2023.txt",
                "gonv-2020": "000-hsu-2021-god-och-nara-vard-2020-redovisning.txt"}
PLACEHOLDER = "Klicka eller tryck"

REPORT_KEYS = {"key", "agreement", "year", "title", "region", "deadline", "recipient", "plan", "plan_version",
               "registry_number", "sent_at", "cover_letter", "guidance", "sections"}
SECTION_KEYS = {"number", "title", "intro", "questions", "sections"}
QUESTION_KEYS = {
    "text": {"kind", "prompt", "help", "answer"},
    "pair": {"kind", "prompt", "prompt_second", "help", "answer", "answer_second"},
    "yes_no": {"kind", "prompt", "help", "answer", "comment"},
    "contacts": {"kind", "prompt", "help", "rows"},
    "insatser": {"kind", "prompt", "help", "prompt_second", "items"},
}
COVER_LETTER_KEYS = {"recipient", "date", "registry_number", "signatories", "text"}


def load(key: str) -> dict:
    return json.loads((DATA / f"{key}.json").read_text("utf-8"))


def seed_text(key: str) -> str:
    return (SOURCES / SOURCE_FILES[key]).read_text("utf-8")


def walk(sections):
    for section in sections:
        yield section
        yield from walk(section["sections"])


def questions(report: dict):
    for section in walk(report["sections"]):
        yield from section["questions"]


def section(report: dict, number_or_title: str) -> dict:
    found = [s for s in walk(report["sections"]) if number_or_title in (s["number"], s["title"])]
    assert len(found) == 1, number_or_title
    return found[0]


def texts(report: dict):
    """Every text the file holds, the form's and the answers'."""
    def strings(value):
        if isinstance(value, str):
            yield value
        elif isinstance(value, dict):
            for item in value.values():
                yield from strings(item)
        elif isinstance(value, list):
            for item in value:
                yield from strings(item)
    yield from strings(report)


def answers(report: dict):
    """Every answer text the region wrote (not the form's prompts)."""
    for question in questions(report):
        for field in ("answer", "answer_second", "comment"):
            if isinstance(question.get(field), str):
                yield question[field]
        for item in question.get("items", []):
            yield from (item[f] for f in ("answer", "answer_second") if item[f])
        for row in question.get("rows", []):
            yield from (row[f] for f in ("name", "phone", "email", "comment") if row[f])


SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def flat(text: str) -> str:
    """The seed's text without the extraction's markup: footnote marks as superscript digits; tags, emphasis,
    headings' hashes, bullets, tabs and line breaks read as spaces."""
    text = re.sub(r"<sup>(\d+)</sup>", lambda m: m.group(1).translate(SUPERSCRIPT), text)
    text = re.sub(r"<[^>]+>", " ", text).replace("•", " ").replace("*", "")
    text = re.sub(r"(?m)^#+ ", " ", text)
    text = re.sub(r"(?m)^- ", " ", text)
    return re.sub(r"\s+", " ", text).strip()


def pieces(answer: str):
    """An answer's paragraphs and list items, as the seed has them one by one."""
    for paragraph in answer.split("\n\n"):
        for line in paragraph.split("\n"):
            yield line[2:] if line.startswith(("- ", "• ")) else line


def found_in(piece: str, seed: str) -> bool:
    """The piece is in the seed, whole or in two parts (a paragraph a page break cut)."""
    piece = flat(piece)
    if piece in seed:
        return True
    cuts = [m.start() for m in re.finditer(" ", piece)]
    return any(piece[:cut] in seed and piece[cut + 1:] in seed and seed.index(piece[:cut]) < seed.rindex(piece[cut + 1:])
               for cut in cuts)


@pytest.mark.parametrize("key", sorted(SOURCE_FILES))
def test_file_follows_the_contract(key):
    report = load(key)
    assert set(report) == REPORT_KEYS
    assert report["key"] == key
    assert report["region"] == "Region Halland"
    assert isinstance(report["year"], int)
    for field in ("deadline", "sent_at"):
        assert report[field] is None or date.fromisoformat(report[field])
    if report["cover_letter"] is not None:
        assert set(report["cover_letter"]) == COVER_LETTER_KEYS
        date.fromisoformat(report["cover_letter"]["date"])
    assert report["sections"]
    for sec in walk(report["sections"]):
        assert set(sec) == SECTION_KEYS, sec["title"]
        assert sec["title"] and isinstance(sec["questions"], list) and isinstance(sec["sections"], list)
    for question in questions(report):
        assert question["kind"] in QUESTION_KEYS, question
        assert set(question) - {"asks_divisions"} == QUESTION_KEYS[question["kind"]], question["prompt"]
        assert question.get("asks_divisions", True) is True, question["prompt"]  # present only where true
        assert question["prompt"]
        if question["kind"] == "yes_no":
            assert question["answer"] in (True, False, None)
        if question["kind"] == "contacts":
            assert all(set(row) == {"name", "phone", "email", "comment"} for row in question["rows"])
        if question["kind"] == "insatser":
            assert question["items"]
            assert all(set(item) == {"name", "answer", "answer_second"} and item["name"] for item in question["items"])


@pytest.mark.parametrize("key", sorted(SOURCE_FILES))
def test_no_placeholder_or_markup_from_the_form(key):
    for text in texts(load(key)):
        assert PLACEHOLDER not in text
        assert not re.search(r"</?(p|i|ul|li)\b", text), text[:80]
        assert "*" not in text and not re.search(r"(?m)^#", text)
        assert all(line.startswith("• ") or "•" not in line for line in text.split("\n")), text[:80]
        assert "\t" not in text and "\n\n\n" not in text and "  " not in text
        assert text == text.strip() or text == "", text[:80]


@pytest.mark.parametrize("key", sorted(SOURCE_FILES))
def test_every_answer_is_the_seeds_text(key):
    """Each paragraph and list item of every answer is in the seed, character for character."""
    seed = flat(seed_text(key))
    missing = [piece for answer in answers(load(key)) for piece in pieces(answer) if not found_in(piece, seed)]
    assert missing == []


# --- tillganglighet-2024 (seed 001) -----------------------------------------------------------------------------

def seed_line(key: str, starting: str) -> list[str]:
    """The cells of the one seed line that starts so."""
    lines = [line for line in seed_text(key).split("\n") if line.startswith(starting)]
    assert len(lines) == 1, starting
    return lines[0].split("\t")


def test_tillganglighet_2024_is_the_2024_form_attached_to_the_2023_plan():
    report = load("tillganglighet-2024")
    assert (report["agreement"], report["year"], report["plan"]) == ("Ökad tillgänglighet", 2024, "tillganglighet-2023")
    assert (report["deadline"], report["sent_at"]) == ("2024-09-30", "2024-09-30")
    assert report["recipient"] == "Tillganglighetsuppdraget@socialstyrelsen.se"
    assert report["title"] == "Redovisning av överenskommelsen om ökad tillgänglighet 2024"
    assert [(s["number"], s["title"]) for s in report["sections"]] == [
        (None, "Kontaktuppgifter"),
        (None, "Generellt"),
        ("3.1", "Nationell vårdförmedling för kortare köer"),
        ("3.2", "Vårdplatser, överbeläggningar och utlokaliseringar"),
        ("3.3", "Kompetensförsörjning och arbetsmiljö"),
        ("3.4", "Förvaltning av register, modeller för datainsamling, dess data och informationsinnehåll"),
        ("3.5", "Innovativa arbetssätt och försöksverksamhet"),
        ("3.6", "Regionala handlingsplaner för ökad tillgänglighet"),
        ("3.7", "Barn- och ungdomspsykiatri"),
    ]
    assert "i de blå fälten" in report["guidance"]


def test_tillganglighet_2024_plan_exists_in_the_demo():
    demo = json.loads((REPOSITORY / "tracker" / "demo" / "data" / "tillganglighet-2023.json").read_text("utf-8"))
    assert (demo["key"], demo["agreement"]) == ("tillganglighet-2023", load("tillganglighet-2024")["agreement"])


def kinds_and_answers(sec: dict) -> list:
    return [(q["kind"], q.get("answer")) for q in sec["questions"] if q["kind"] == "yes_no"]


def test_tillganglighet_2024_ja_nej_answers_are_the_regions():
    report = load("tillganglighet-2024")
    assert kinds_and_answers(section(report, "Generellt")) == [("yes_no", True), ("yes_no", True), ("yes_no", False)]
    assert kinds_and_answers(section(report, "3.4")) == [("yes_no", True)] * 4
    s36 = section(report, "3.6")
    assert kinds_and_answers(s36) == [("yes_no", True), ("yes_no", True), ("yes_no", False)]
    assert s36["questions"][2]["prompt"] == (
        "Har handlingsplanen uppdaterats sedan senaste version ni skickat in i mars 2024? (ja/nej)")
    comment = s36["questions"][3]
    assert (comment["kind"], comment["prompt"]) == ("text", "Ev. kommentar")
    assert comment["answer"].startswith("Region Hallands handlingsplan kommer att ligga till grund för 2025 års arbetet")
    assert comment["answer"] == seed_line("tillganglighet-2024", "Ja\tJa\tnej\tRegion Hallands")[3]


def test_tillganglighet_2024_answers_equal_the_seed():
    key = "tillganglighet-2024"
    report = load(key)
    generellt = section(report, "Generellt")["questions"]
    assert generellt[3]["answer"] == seed_line(key, "Ja\tJa\tnej\tRegion Halland har deltagit")[3]

    contacts = section(report, "Kontaktuppgifter")["questions"][1]
    assert contacts["kind"] == "contacts"
    assert [(r["name"], r["phone"], r["email"], r["comment"]) for r in contacts["rows"]] == [
        tuple(seed_line(key, "Carina Werner\t")[:3]) + (None,),
        tuple(seed_line(key, "Matilda Örnstedt\t")[:3]) + (None,),
    ]

    lines = seed_text(key).split("\n")
    insatser_31 = section(report, "3.1")["questions"][1]
    lotskansli = lines.index("Förstärka och fortsätta arbetet med vårdlotskanslier i syfte att bidra till vårdförmedling"
                             " på nationell nivå.")
    assert [item["name"] for item in insatser_31["items"]][2] == lines[lotskansli]
    assert insatser_31["items"][2]["answer"] == lines[lotskansli + 1]
    assert len(insatser_31["items"]) == 5

    s34 = section(report, "3.4")["questions"]
    data_question = seed_line(key, "Vilken data har ev. inte rapporterats")
    assert (s34[4]["prompt"], s34[4]["answer"]) == tuple(data_question)
    assert s34[5] == {"kind": "text", "prompt": "Ev. kommentarer vg. ovanstående punkter", "help": None, "answer": None}

    insats_36 = section(report, "3.6")["questions"][5]["items"][0]
    name = "Utveckla förutsättningar för en sammanhållen och strategisk produktions- och kapacitetsplanering"
    row = lines[next(i for i, line in enumerate(lines) if line.startswith(name)) + 1].split("\t")
    assert (insats_36["answer"], insats_36["answer_second"]) == tuple(row)

    pair_31 = section(report, "3.1")["questions"][0]
    assert pair_31["kind"] == "pair"
    assert pair_31["answer"].split("\n\n")[0] == "Medlen för 2024 används för att stärka och öka anslagen till våra befintliga verksamheter."
    assert pair_31["answer_second"] in seed_text(key)
    assert pair_31["help"] == "Lyft fram de resultat ni kunnat se/påvisa hittills."

    bup = section(report, "3.7")["questions"][0]["answer_second"]
    assert "samtidigt som samarbetet mellan BUP, En väg in och Barn- och ungas psykiska hälsa (BUPH) stärks\n\n" in bup
    varje = next(line for line in lines if line.startswith("Varje vårdenhet har även etablerat"))
    assert f"\n\n{varje}\n\n" in bup


def test_tillganglighet_2024_empty_fields_are_empty():
    report = load("tillganglighet-2024")
    s36 = section(report, "3.6")["questions"]
    assert s36[4]["kind"] == "pair" and s36[4]["answer_second"] is None
    assert s36[4]["answer"] == "Medlen för 2024 används för att stärka och öka anslagen till befintliga verksamheter"


# --- gonv-2020 (seed 000) ---------------------------------------------------------------------------------------

def table_of_contents() -> list[tuple[int, str]]:
    """(depth, title) of each line of the seed's Innehållsförteckning: chapters in bold, sub-chapters not."""
    lines = seed_text("gonv-2020").split("\n")
    start = lines.index("# Innehållsförteckning") + 2
    entries = []
    for line in lines[start:]:
        if not line.strip():
            break
        title = line.split("\t")[0]
        entries.append((0 if title.startswith("<b>") else 1, re.sub(r"</?b>", "", title)))
    return entries


def test_gonv_2020_chapters_are_the_table_of_contents():
    report = load("gonv-2020")
    def titles(sections, depth=0):
        for sec in sections:
            yield depth, sec["title"]
            yield from titles(sec["sections"], depth + 1)
    toc = table_of_contents()
    assert len(toc) == 14 and toc[0] == (0, "Utveckling av den nära vården med fokus på primärvården")
    assert list(titles(report["sections"])) == toc
    assert [len(s["sections"]) for s in report["sections"]] == [4, 0, 2, 2, 1]
    for sec in walk(report["sections"]):
        assert sec["number"] is None and sec["intro"] is None
        assert [(q["kind"], q["prompt"]) for q in sec["questions"]] == [("text", sec["title"])]
        assert sec["questions"][0]["answer"]


def test_gonv_2020_facts_and_cover_letter():
    report = load("gonv-2020")
    assert (report["agreement"], report["year"], report["registry_number"]) == ("God och nära vård", 2020, "RS200203")
    assert report["recipient"] == "omställningen@socialstyrelsen.se"
    assert report["plan"] is None and report["plan_version"] is None
    assert report["title"] == ("Återrapportering av överenskommelsen ”God och nära vård – En omställning av hälso och "
                               "sjukvården med fokus på primärvården”")
    demo = json.loads((REPOSITORY / "tracker" / "demo" / "data" / "gonv-2021.json").read_text("utf-8"))
    assert demo["agreement"] == report["agreement"]
    letter = report["cover_letter"]
    assert letter["recipient"] == "Socialstyrelsen\nomställningen@socialstyrelsen.se"
    assert (letter["date"], letter["registry_number"]) == ("2021-03-10", "RS200203")
    assert letter["signatories"] == ["Mikaela Waltersson, Regionstyrelsens ordförande", "Jörgen Preuss, Regiondirektör"]
    assert letter["text"].startswith("Region Hallands redovisning för God och nära vård 2020\n\nMed den bifogade rapporten")


def test_gonv_2020_answers_equal_the_seed():
    report = load("gonv-2020")
    lines = seed_text("gonv-2020").split("\n")
    def answer(title):
        return section(report, title)["questions"][0]["answer"]
    arbetsmiljo = next(line for line in lines if line.startswith("Med syfte att underlätta styrning"))
    assert answer("En hälsofrämjande och hållbar arbetsmiljö") == arbetsmiljo
    invanare = next(line for line in lines if line.startswith("Invånare har i stor utsträckning"))
    assert answer("Pandemins inverkan på arbetet med goda förutsättningar för vårdens medarbetare").endswith(
        "\n\n" + invanare)
    # a paragraph cut by a page break reads whole; the footnote keeps its mark and its text
    assert ("Att vara tillgänglig för patienterna, trots förhinder att träffas fysiskt, har varit kännetecknande för det"
            " gångna året.") in answer("Tillgänglighet och kontinuitet")
    assert "över 155 000 distanskontakter¹ i Region Halland" in answer("Tillgänglighet och kontinuitet")
    assert answer("Tillgänglighet och kontinuitet").endswith(
        "\n\n¹ 102 000 telefonkontakter, 40 00 videobesök, 13 000 skriftlig kontakt")
    covid = answer("Hur har covid-19 påverkat arbetet med omställningen?")
    assert covid.split("\n\n")[0] == next(line for line in lines if line.startswith("Sedan coronabrottet startade"))
    assert "\n- Rätt kompetens på rätt nivå\n" in answer("Utveckling av den nära vården med fokus på primärvården")


def test_tillganglighet_2024_keeps_the_seeds_bullets():
    """The seed's "•" lists stay "•" (its "-" lists stay "-"): the text is the region's, as written."""
    kompetens = section(load("tillganglighet-2024"), "3.3")["questions"][1]["items"][0]["answer"]
    assert "\n• Digital kompetens\n• Chef- och ledarförsörjning\n" in kompetens
    assert "\n- " not in kompetens
