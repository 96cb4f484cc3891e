"""The fields of indicators, their outcomes and the plan's contacts, as every reader of a change names and shows
them (`tracker.fields`)."""

from tracker.fields import Field, Fields

INDICATOR = Fields(Field("name", "Indikator"), Field("area", "Område"), Field("target", "Målvärde"),
                   Field("unit", "Enhet"), Field("direction", "Riktning"))
VALUE = Fields(Field("period", "Period"), Field("value", "Utfall"), Field("value_women", "Varav kvinnor"),
               Field("value_men", "Varav män"), Field("comment", "Kommentar"))
CONTACT = Fields(Field("name", "Namn"), Field("phone", "Telefonnummer"), Field("email", "Mejladress"),
                 Field("comment", "Kommentar"))
