"""tracker report export / bundle."""

import io
import json
import zipfile

import docx

from tests.reports.helpers import approve, create_report
from tracker.extensions import db
from tracker.reports.models import ReportBundle


def test_report_export_writes_the_word_file(app, divisions, tmp_path):
    report = create_report()
    target = tmp_path / "redovisning.docx"
    result = app.test_cli_runner().invoke(args=["report", "export", report.key, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert docx.Document(str(target)).paragraphs[0].text == report.title


def test_report_bundle_writes_and_keeps_the_zip(app, divisions, tmp_path):
    report = create_report()
    result = app.test_cli_runner().invoke(args=["report", "bundle", report.key, "-o", str(tmp_path / "för-tidigt.zip")])
    assert result.exit_code != 0 and "godkända redovisningen" in result.output  # not before the approval
    approve(report)
    target = tmp_path / "paket.zip"
    result = app.test_cli_runner().invoke(args=["report", "bundle", report.key, "-o", str(target)])
    assert result.exit_code == 0, result.output
    kept = db.session.scalar(db.select(ReportBundle))
    assert kept.sha256 in result.output and kept.manifest["made_by"] == "tracker report bundle"
    with zipfile.ZipFile(io.BytesIO(target.read_bytes())) as archive:
        assert json.loads(archive.read("manifest.json"))["report"] == report.key


def test_an_unknown_report_is_an_error(app, divisions, tmp_path):
    result = app.test_cli_runner().invoke(args=["report", "export", "finns-inte", "-o", str(tmp_path / "x.docx")])
    assert result.exit_code != 0 and "Det finns ingen redovisning med nyckeln finns-inte" in result.output
