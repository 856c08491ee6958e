"""The content fixes of issue 24, section 1: what a read of every answer
against the article and TIMELINE.md found saying more than its sources. Each
check reads the real store and the texts people get (web, phone), in both
languages, and fails on the text as it stood before the fix."""

import re

import pytest

from devtools.paths import STORE
from policy_assistant import answers, phone_messages
from policy_assistant.store import load_store
from policy_assistant.text import sentences

store = load_store(STORE)
LANGS = ["en", "es"]
TOPICS = sorted(store.topics)
JAIL_2025 = "jail_detainers_2025_07_22"
ORDINANCE = "ordinance_o_342_17"
NEW_POLICY = "new_policy_2017_09_22"


def written(lang: str) -> list:
    """(where, text) for every text in our own words: topics, updates,
    resources, quote contexts and the fixed replies."""
    texts = []
    for topic in store.topics.values():
        texts += [(f"{topic.id}.{field}", getattr(topic, field).text(lang)) for field in ("title", "short", "summary")]
    texts += [(f"update {u.id}", u.text.text(lang)) for u in store.updates.values()]
    texts += [(f"resource {r.id}", r.description.text(lang)) for r in store.resources.values()]
    texts += [(f"quote {q.id} context", q.context.text(lang)) for q in store.quotes.values() if q.context]
    texts += [(f"message {k}", v) for k, v in store.language(lang).messages.items() if v]
    return texts


def every_sentence(lang: str, texts: list | None = None) -> list:
    texts = written(lang) if texts is None else texts
    return [(where, s) for where, text in texts for s in sentences(" ".join(text.split()))]


def claims(lang: str) -> list:
    """The texts that state facts: answers, notes and resources (not titles,
    which are questions, nor the list of what the assistant can answer)."""
    return [(w, t) for w, t in written(lang) if not w.endswith(".title") and w != "message ask_capabilities"]


# ---------------------------------------------------------------- HIGH


@pytest.mark.parametrize(
    "lang,scope,warrant,danger",
    [
        ("en", "not ICE agents", "warrant signed by a judge", "reasonable suspicion of a risk of violence"),
        ("es", "no para los agentes de ICE", "orden firmada por un juez", "sospecha razonable de un riesgo"),
    ],
)
def test_emergency_reply_says_whose_rules_and_when_police_may_still_help_ice(lang, scope, warrant, danger):
    """1. "ICE is at my door": the rules bind Louisville police, not ICE, and the
    city law still lets police help ICE with a judge's warrant or a stated danger."""
    text = " ".join(store.language(lang).messages["emergency"].split())
    assert "911" in sentences(text)[0]  # danger first
    for needed in (scope, warrant, danger, "O-342-17"):
        assert needed in text, needed


@pytest.mark.parametrize(
    "lang,scope,enforce,warrant",
    [
        ("en", r"bind police, not ICE", r"help ICE enforce federal law", r"judge's warrant"),
        ("es", r"rigen a la policía, no a ICE", r"ayudar a ICE a aplicar la ley federal", r"orden de un juez"),
    ],
)
def test_home_visits_short_gives_the_policys_real_scope(lang, scope, enforce, warrant):
    """2. Not "police will not answer ICE requests such as knocking": the policy
    is about helping ICE enforce federal law, the city law keeps exceptions,
    and ICE itself can still come to the door."""
    short = " ".join(store.topics["home_visits"].short.text(lang).split())
    for needed in (scope, enforce, warrant):
        assert re.search(needed, short), (needed, short)


# ---------------------------------------------------------------- MEDIUM

# The 2025 jail change is what Mayor Greenberg said would happen, not a fact
# with a start date (3), and it is about people held on criminal charges, not
# people convicted of crimes (5).
JAIL_AS_FACT = re.compile(
    r"again honors|again holds|began again|since (July )?2025|vuelve a cumplir|retiene otra vez|volvió a retener"
    r"|desde (julio de )?2025|jailed for crimes?|held for crimes|custody for crimes|detenid[oa]s? por (un )?delitos?",
    re.I,
)
JAIL = re.compile(r"\bjail\b|cárcel|Metro Corrections", re.I)
HOLDING = re.compile(r"detainer|\bhold|retenci[oó]n|retener", re.I)
ATTRIBUTED = re.compile(r"\bsaid\b|\bdijo\b|Our explanation|Nuestra explicación", re.I)


@pytest.mark.parametrize("lang", LANGS)
def test_the_2025_jail_change_is_always_what_the_mayor_said(lang):
    for where, sentence in every_sentence(lang):
        assert not JAIL_AS_FACT.search(sentence), (where, sentence)
    for where, sentence in every_sentence(lang, claims(lang)):
        if JAIL.search(sentence) and HOLDING.search(sentence):
            assert ATTRIBUTED.search(sentence), (where, sentence)


@pytest.mark.parametrize("lang,hedge", [("en", "Kentucky state law"), ("es", "ley estatal de Kentucky")])
def test_every_summary_that_states_the_city_law_says_state_law_is_unknown(lang, hedge):
    """4. TIMELINE.md: no source says whether a Kentucky law overrides the city's."""
    for topic in store.topics.values():
        summary = topic.summary.text(lang)
        if "O-342-17" in summary:
            assert hedge in " ".join(summary.split()), topic.id
    assert hedge in " ".join(store.language(lang).messages["emergency"].split())


@pytest.mark.parametrize("lang", LANGS)
def test_the_jail_change_says_which_charges_are_unknown(lang):
    needed = {"en": "do not say which charges", "es": "no dicen qué cargos"}[lang]
    assert needed in " ".join(store.updates[JAIL_2025].text.text(lang).split())


def test_report_crime_safely_does_not_imply_911_is_unaffected():
    """6. The records say nothing about 911 after 2017."""
    for lang, wrong, needed in (("en", "not 911", "nothing about 911"), ("es", "no en el 911", "sobre el 911")):
        short = " ".join(store.topics["report_crime_safely"].short.text(lang).split())
        assert wrong not in short and needed in short, short


def test_spanish_says_what_the_records_say_in_plain_words():
    """7, 8, 18. Spanish words that read as something else."""
    every = "\n".join(s for _, s in every_sentence("es"))
    every += "\n".join(q.translations.get("es", "") for q in store.quotes.values())
    for wrong in (
        "quien responde",
        "responden a llamadas",
        "responder a llamadas",
        "aplicación migratoria",
        "despejar",
        "grupo de trabajo",
        "llamó indebido",
        "pedido de",
        "pedidos",
        "realmente importantes",
        "sigue igual",
    ):
        assert wrong not in every, wrong
    assert "los oficiales que acuden cuando alguien llama a la policía" in every
    assert "fuerza de tarea conjunta" in every and "poder de fuego considerable" in every


@pytest.mark.parametrize("topic", ["when_police_help_ice", "home_visits", "dangerous_situations", "officer_conduct"])
@pytest.mark.parametrize("lang", LANGS)
def test_shorts_name_a_change_not_only_that_policy_does_not_change(topic, lang):
    """9. The first screen says which rules changed: the 2017 policy or city law,
    and in 2025 the jail's rule, not only the mayor's word that LMPD's does not."""
    short = " ".join(store.topics[topic].short.text(lang).split())
    named = r"2017 (city law|policy)|policy of 2017|(ley|política)( de LMPD| municipal)? de 2017"
    assert re.search(named, short), short
    newest = [s for s in sentences(short) if "2025" in s]
    assert newest and re.search(r"\bjail|cárcel", newest[0]), short


def test_the_2017_rules_qualify_the_chiefs_accounts_of_obligation_and_refusal():
    """10. The 'obligation', '19 of 23' and 'ruse' remarks were overtaken by the
    September policy and the city law; 'not involved' is never shown without
    the firepower remark that follows it in the article."""
    for update in (NEW_POLICY, ORDINANCE):
        qualifies = set(store.updates[update].qualifies)
        assert {"conrad_rotary_obligation", "conrad_reporters_19_of_23", "conrad_reporters_ruse"} <= qualifies, update
    for topic in store.topics.values():
        ids = [q.id for q in topic.quotes]
        if "conrad_reporters_not_involved" in ids:
            at = ids.index("conrad_reporters_not_involved")
            assert ids[at + 1 : at + 2] == ["conrad_reporters_firepower"], topic.id


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("topic", TOPICS)
def test_phone_answers_carry_the_review_line(topic, lang):
    """11. The first text and MORE say whether city staff reviewed the answer."""
    line = answers.review_line(store.topics[topic], store.language(lang))
    assert line in "\n".join(phone_messages.topic_messages(store, topic, lang))
    assert line in "\n".join(phone_messages.details_messages(store, topic, lang))


@pytest.mark.parametrize(
    "lang,copies,counts,names",
    [
        ("en", "may keep copies", "daily count of questions per topic", "don't send names"),
        ("es", "pueden guardar copias", "conteo diario de preguntas por tema", "no envíe nombres"),
    ],
)
def test_privacy_line_says_who_may_keep_copies_and_what_we_count(lang, copies, counts, names):
    """12. Carriers may keep copies; the assistant keeps daily counts per topic."""
    messages = store.language(lang).messages
    for key in ("phone_privacy_sms", "phone_privacy_whatsapp"):
        for needed in (copies, counts, names):
            assert needed in messages[key], (key, needed)
    assert "WhatsApp" in messages["phone_privacy_whatsapp"]
    assert counts in store.language(lang).ui["privacy_text"]


# ---------------------------------------------------------------- LOW


@pytest.mark.parametrize("lang,trained", [("en", "are trained to pass"), ("es", "están capacitados para pasar")])
def test_dispatchers_are_said_to_be_trained_to_pass_ice_calls(lang, trained):
    """13. The record is a policy of training, not a practice we know."""
    for where, sentence in every_sentence(lang):
        if "MetroSafe" in sentence and re.search(r"dispatchers|operadores", sentence):
            assert trained in sentence, (where, sentence)


@pytest.mark.parametrize(
    "lang,label,beyond",
    [
        ("en", "(Our explanation: a detainer", "48 hours beyond"),
        ("es", "(Nuestra explicación: una solicitud", "48 horas después"),
    ],
)
def test_the_detainer_definition_is_labelled_ours(lang, label, beyond):
    """14. The definition is our explanation, and says 'beyond normal release'."""
    for where, text in written(lang):
        text = " ".join(text.split())
        if label in text:
            assert beyond in text, where
        if re.search(r"\b(A detainer is|Una solicitud de retención es)\b", text.replace(label, ""), re.I):
            raise AssertionError(f"{where}: a definition not labelled as our explanation")
    assert label in " ".join(store.updates[JAIL_2025].text.text(lang).split())


def test_investigation_findings_short_keeps_the_chiefs_hedge_and_the_four():
    """15."""
    for lang, hedge, four in (("en", "as he understood it", "four"), ("es", "según entendía", "cuatro")):
        short = " ".join(store.topics["investigation_findings"].short.text(lang).split())
        assert hedge in short and four in short, short


def test_joint_operations_short_keeps_the_cartel_hedge_and_the_city_laws_limit():
    """16. A task force on people who 'maybe have a connection' to a cartel, and
    the city law limits any help."""
    for lang, wrong, maybe, limit in (
        ("en", "on cartels", "maybe", "judge's warrant"),
        ("es", "sobre carteles", "posibles", "orden judicial"),
    ):
        short = " ".join(store.topics["joint_operations"].short.text(lang).split())
        assert wrong not in short and maybe in short and limit in short, short


def test_contact_liaison_does_not_assume_an_office_exists_today():
    """17. The article names a 2017 role, not an office."""
    for lang, unknown in (("en", "we do not know whether"), ("es", "no sabemos si")):
        assert unknown in " ".join(store.topics["contact_liaison"].short.text(lang).split())
    for resource in store.resources.values():
        assert not re.search(r"liaison\)|office", resource.name.text("en")), resource.name.text("en")


def test_the_multilingual_video_is_a_record_not_a_change():
    """19."""
    assert store.updates["multilingual_video_2017_09_22"].kind == "record"


@pytest.mark.parametrize("topic", ["report_crime_safely", "community_trust"])
def test_trust_topics_show_the_september_policy_on_metrosafe_calls(topic):
    """20."""
    assert NEW_POLICY in [u.id for u in store.topics[topic].updates]
    for lang in LANGS:
        assert "MetroSafe" in store.topics[topic].summary.text(lang)


@pytest.mark.parametrize("lang", LANGS)
def test_a_mayor_with_a_year_is_named(lang):
    """21. Fischer in 2017, Greenberg in 2025: a sentence that dates a mayor's
    words names him."""
    for where, sentence in every_sentence(lang):
        if re.search(r"\bmayor\b|\balcalde\b", sentence, re.I) and re.search(r"\b20(17|25)\b", sentence):
            assert re.search(r"Fischer|Greenberg", sentence), (where, sentence)


def test_fixed_replies_claim_no_help_the_sources_do_not_name():
    """22, 23."""
    for lang, wrong in (("en", r"the city can help"), ("es", r"la ciudad pueden? ayudar")):
        assert not re.search(wrong, store.language(lang).messages["out_of_scope"])
    for lang, wrong in (("en", r"\ba talk\b"), ("es", r"\buna charla\b")):
        assert not re.search(wrong, store.topics["sources_and_dates"].short.text(lang))
