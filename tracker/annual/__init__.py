"""The annual cycle around each agreement: its years' pages, årshjulet, evidence from plans and reports, decisions."""
