"""The annual cycle around each agreement: its years' pages, årshjulet, the evidence for villkor, the decisions."""
