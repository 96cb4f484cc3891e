"""The region's health strategy (Hallands hälso- och sjukvårdsstrategi 2017–2025): its delmål with their sections and
yearly bedömningar, and the target groups the strateg keeps. Below plans: an åtgärd and an indicator link to delmål
and target groups; the pages that read the golden thread across plans and years (goalchain) live higher up."""
