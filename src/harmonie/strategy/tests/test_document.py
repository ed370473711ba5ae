from __future__ import annotations

import io

from pypdf import PdfReader

from harmonie.strategy.document import render_html, render_markdown, render_pdf, strategy_document


def test_markdown_document_has_every_section_and_figure(strategy_demo, persona):
    md = render_markdown(strategy_document(actor=persona("hq_admin")))
    headings = [line for line in md.splitlines() if line.startswith("## ")]
    assert headings == [
        "## 1. Objectives and KPIs", "## 2. Audiences", "## 3. Governance matrix", "## 4. Brand platform",
        "## 5. Editorial charter", "## 6. Chosen platforms and why", "## 7. Cadence and resources",
    ]  # fmt: skip
    assert md.startswith("# Social media strategy — Vireo Industries\n")
    assert "| Reach | 120000 | 200000 |" in md
    assert "| Engagement rate | 2.1 | 3.5 |" in md
    assert "- Expertise: 40 %" in md
    assert "### Japan: 21.0 h/week needed, 20.0 h/week available — **more planned than the team can do**" in md
    assert "| Vouvoiement | France | block | Vireo vouvoie ses clients et ses candidats. |" in md
    assert "   - FR: Nos matériaux réduisent en moyenne de 20 % les émissions de CO2 de nos clients." in md


def test_market_document_keeps_that_market_and_global(strategy_demo, persona, market):
    md = render_markdown(strategy_document(actor=persona("hq_admin"), market=market("DE")))
    assert md.startswith("# Social media strategy — Vireo Industries — Germany\n")
    assert "### Leads DACH (Data capture (leads), Germany" in md
    assert "### Group reputation (Image, Global" in md
    assert "Notoriété de Vireo France" not in md
    assert "| Siezen | Germany | warn |" in md
    assert "Vouvoiement" not in md
    assert "| Dimension | GLOBAL | EUROPE | DE |" in md


def test_html_and_pdf_documents(strategy_demo, persona):
    doc = strategy_document(actor=persona("hq_admin"))
    html = render_html(doc)
    assert html.count("<h2") == 7
    assert "Notoriété de Vireo France" in html
    pdf = render_pdf(doc)
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 7  # each section starts a page
    for heading in ("1. Objectives and KPIs", "3. Governance matrix", "5. Editorial charter",
                    "7. Cadence and resources"):  # fmt: skip
        assert heading in text
    assert "200000" in text
    assert "Engajamento Brasil" in text
    assert reader.pages[0].extract_text().startswith("Social media strategy")
