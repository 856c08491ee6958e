"""The web chat page in real headless Chromium (Debian's chromium and
chromium-driver, driven by Selenium) against the real assistant."""

import time

import pytest
import requests

from devtools.paths import PROJECT, STORE
from policy_assistant.answers import review_line, topic_payload
from policy_assistant.store import load_store

selenium = pytest.importorskip("selenium")
from selenium.common.exceptions import NoAlertPresentException  # noqa: E402
from selenium.webdriver.common.action_chains import ActionChains  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from tests.browser_support import serious_axe_violations  # noqa: E402

pytestmark = pytest.mark.browser

ARTIFACTS = PROJECT / "tests" / "artifacts"
store = load_store(STORE)
EN, ES = store.language("en"), store.language("es")


@pytest.fixture
def page(browser, live):
    browser.set_window_size(1280, 900)
    browser.get(live.url + "/webhooks/webchat/")
    browser.execute_script("sessionStorage.clear()")
    browser.get(live.url + "/webhooks/webchat/")
    WebDriverWait(browser, 30).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    return browser


def wait_for_cards(driver, count, seconds=90):
    WebDriverWait(driver, seconds).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".card[data-topic]")) >= count)
    return driver.find_elements(By.CSS_SELECTOR, ".card[data-topic]")[count - 1]


def ask(driver, text):
    box = driver.find_element(By.ID, "question")
    box.clear()
    box.send_keys(text)
    driver.find_element(By.ID, "send").click()


def sentences_of(card, part):
    """The sentences of "In short" (`short`) or "In more detail" (`summary`)
    on the page, each without the numbered marker that ends it."""
    return card.parent.execute_script(
        "return Array.prototype.map.call(arguments[0].querySelectorAll('.' + arguments[1] + ' .sentence'),"
        " function (s) { var c = s.cloneNode(true);"
        " c.querySelectorAll('.ground-marker').forEach(function (b) { b.remove(); }); return c.textContent; });",
        card,
        part,
    )


def sentences_shown(card, part):
    return " ".join(sentences_of(card, part))


def open_section(card, name):
    """Open one of the answer's sections (a <details>) as a person would, by clicking its heading."""
    section = card.find_element(By.CSS_SELECTOR, f"details.{name}")
    if section.get_attribute("open") is None:
        section.find_element(By.TAG_NAME, "summary").click()
    assert section.get_attribute("open") is not None
    return section


def test_policy_question_shows_short_answer_first_and_details_one_tap_away(page):
    ask(page, "Will the police ask about my immigration status?")
    card = wait_for_cards(page, 1)
    assert card.get_attribute("data-topic") == "immigration_status"
    topic = store.topics["immigration_status"]
    assert sentences_shown(card, "short") == topic.short["en"]
    latest = max(u.date for u in topic.updates if u.kind != "record")
    latest_text = f"{latest.day} {EN.months[latest.month - 1]} {latest.year}"
    assert latest_text in card.find_element(By.CSS_SELECTOR, ".latest").text
    assert card.find_element(By.CSS_SELECTOR, ".reviewed").text == review_line(topic, EN)
    assert EN.labels["disclaimer"] in card.text
    # the details start closed: the quotes are not on the first screen
    quote = card.find_element(By.CSS_SELECTOR, ".quote")
    assert not quote.is_displayed()
    sections = [d.get_attribute("class") for d in card.find_elements(By.TAG_NAME, "details")]
    assert sections.index("changes") < sections.index("officials") < sections.index("sources")  # newer notes first
    open_section(card, "officials")
    assert quote.is_displayed()
    assert quote.find_element(By.CSS_SELECTOR, ".speaker").text == "Steve Conrad"
    assert "7 September 2017" in quote.find_element(By.TAG_NAME, "figcaption").text
    assert store.quotes["conrad_rotary_call_us"].text in quote.find_element(By.TAG_NAME, "blockquote").text
    assert card.find_elements(By.CSS_SELECTOR, ".related button")
    sources = open_section(card, "sources")
    links = [a.get_attribute("href") for a in sources.find_elements(By.CSS_SELECTOR, ".source a")]
    assert links and all(h.startswith("https://") for h in links)
    assert EN.labels["section_url"] in sources.text  # a link to a home page says so


def test_sections_open_and_close_by_keyboard(page):
    ask(page, "Will police knock on my door for ICE?")
    card = wait_for_cards(page, 1)
    section = card.find_element(By.CSS_SELECTOR, "details.changes")
    heading = section.find_element(By.TAG_NAME, "summary")
    page.execute_script("arguments[0].focus()", heading)
    assert page.switch_to.active_element == heading
    ActionChains(page).send_keys(Keys.ENTER).perform()
    assert section.get_attribute("open") is not None
    assert section.find_element(By.CSS_SELECTOR, ".update").is_displayed()
    ActionChains(page).send_keys(Keys.SPACE).perform()
    assert section.get_attribute("open") is None


def test_whole_flow_by_keyboard_alone(page):
    body = page.find_element(By.TAG_NAME, "body")
    body.click()
    actions = ActionChains(page)
    for _ in range(15):
        if page.switch_to.active_element.get_attribute("id") == "question":
            break
        actions.send_keys(Keys.TAB).perform()
    assert page.switch_to.active_element.get_attribute("id") == "question"
    actions.send_keys("will police knock on my door for ICE?").send_keys(Keys.ENTER).perform()
    card = wait_for_cards(page, 1)
    assert card.get_attribute("data-topic") == "home_visits"
    assert page.switch_to.active_element.get_attribute("id") == "question"  # focus stays where you type
    # reach a related-topic button with Shift+Tab and press it with the keyboard
    for _ in range(40):
        actions.key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
        focused = page.switch_to.active_element
        box = focused.find_element(By.XPATH, "..")
        outer = box.find_element(By.XPATH, "..").get_attribute("class") or ""
        if "related" in (box.get_attribute("class") or "") and "rating" not in outer:
            break  # a related question, not "did this help?" after them
    focused = page.switch_to.active_element
    assert focused.tag_name == "button"
    outline = page.execute_script("return getComputedStyle(arguments[0]).outlineStyle", focused)
    assert outline not in ("", "none")  # focus is visible
    actions.send_keys(Keys.ENTER).perform()
    second = wait_for_cards(page, 2)
    assert second.get_attribute("data-topic") in store.topics["home_visits"].related


def test_switch_to_spanish_interface_and_answers(page):
    page.find_element(By.CSS_SELECTOR, ".lang-choice[data-lang='es']").click()
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert page.find_element(By.TAG_NAME, "h1").text == ES.ui["heading"]
    assert page.find_element(By.ID, "send").text == ES.ui["send"]
    assert page.find_element(By.ID, "question").get_attribute("placeholder") == ES.ui["input_placeholder"]
    assert page.find_element(By.ID, "log").get_attribute("aria-label") == ES.ui["messages_label"]
    ask(page, "will the police ask about my immigration status?")  # English words, Spanish page
    card = wait_for_cards(page, 1)
    assert sentences_shown(card, "short") == store.topics["immigration_status"].short["es"]
    assert card.find_element(By.CSS_SELECTOR, ".reviewed").text == review_line(store.topics["immigration_status"], ES)
    open_section(card, "more-detail")
    assert sentences_shown(card, "summary") == store.topics["immigration_status"].summary["es"]
    open_section(card, "officials")
    translation = card.find_element(By.CSS_SELECTOR, ".translation")
    assert translation.text.startswith(ES.labels["unofficial_translation"] + ":")
    assert translation.get_attribute("lang") == "es"
    assert card.find_element(By.TAG_NAME, "blockquote").get_attribute("lang") == "en"
    page.refresh()
    WebDriverWait(page, 30).until(lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-ready"))
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"  # kept for this tab


def test_a_spanish_question_on_an_english_page_gets_a_spanish_answer_and_the_page_follows(page):
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    ask(page, "¿la policía va a tocar mi puerta por ICE?")
    card = wait_for_cards(page, 1)
    assert sentences_shown(card, "short") == store.topics["home_visits"].short["es"]
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert page.find_element(By.CSS_SELECTOR, ".lang-choice[data-lang='es']").get_attribute("aria-pressed") == "true"
    # a greeting in English: answered in English, and the page follows again
    ask(page, "hello, thanks")
    WebDriverWait(page, 60).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")


def test_a_french_answer_says_it_is_unchecked_and_the_english_answer_is_one_tap_away(page):
    FR = store.language("fr")
    ask(page, "Est-ce que la police va frapper à ma porte pour ICE ?")
    card = wait_for_cards(page, 1)
    assert card.get_attribute("data-topic") == "home_visits"
    assert sentences_shown(card, "short") == store.topics["home_visits"].short["fr"]
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "fr"
    assert card.find_element(By.CSS_SELECTOR, ".unchecked").text == FR.labels["translation_unchecked"]
    card.find_element(By.CSS_SELECTOR, ".in-short .related button").click()  # "English"
    english = wait_for_cards(page, 2)
    assert sentences_shown(english, "short") == store.topics["home_visits"].short["en"]
    assert not english.find_elements(By.CSS_SELECTOR, ".unchecked")
    WebDriverWait(page, 30).until(lambda d: d.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en")


def direction(driver, element):
    return driver.execute_script("return getComputedStyle(arguments[0]).direction", element)


@pytest.mark.parametrize("lang", ["ar", "prs"])
def test_an_arabic_or_dari_answer_reads_right_to_left_and_english_quotes_stay_left_to_right_at_375px(page, lang):
    """An Arabic or Dari question on the English page (issue 27): the page
    follows the answer into its language and turns right to left; the official
    quotes stay in English, left to right, each with its translation right to
    left; nothing scrolls sideways at 375 px. Screenshots in tests/artifacts
    (the Noto fonts from scripts/install_browser.sh draw the script)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert store.language(lang).direction == "rtl"
    page.set_window_size(375, 667)
    page.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 375, "height": 667, "deviceScaleFactor": 1, "mobile": True}
    )
    try:
        ask(page, store.topics["home_visits"].title[lang])
        card = wait_for_cards(page, 1)
        assert card.get_attribute("data-topic") == "home_visits"
        assert sentences_shown(card, "short") == store.topics["home_visits"].short[lang]
        html = page.find_element(By.TAG_NAME, "html")
        WebDriverWait(page, 30).until(lambda d: html.get_attribute("dir") == "rtl")
        assert html.get_attribute("lang") == lang
        assert direction(page, card.find_element(By.CSS_SELECTOR, ".short")) == "rtl"
        assert direction(page, page.find_element(By.CSS_SELECTOR, ".msg.user .text")) == "rtl"
        page.execute_script("arguments[0].scrollIntoView({block: 'start'})", card)
        assert page.save_screenshot(str(ARTIFACTS / f"answer-{lang}-phone-first-screen.png"))
        officials = open_section(card, "officials")
        quote = officials.find_element(By.CSS_SELECTOR, ".quote blockquote")
        assert quote.get_attribute("lang") == "en" and direction(page, quote) == "ltr"
        translation = officials.find_element(By.CSS_SELECTOR, ".quote .translation")
        assert translation.get_attribute("lang") == lang and direction(page, translation) == "rtl"
        width = page.execute_script("return document.documentElement.scrollWidth")
        assert width <= 375, f"horizontal scrolling at 375 px right to left (scrollWidth {width})"
        page.execute_script("arguments[0].scrollIntoView({block: 'start'})", officials)
        path = ARTIFACTS / f"answer-{lang}-phone-quotes.png"
        assert page.save_screenshot(str(path)) and path.stat().st_size > 10_000
    finally:
        page.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_a_question_asking_for_another_language_than_the_one_chosen_changes_the_choice(page):
    page.find_element(By.CSS_SELECTOR, ".lang-choice[data-lang='es']").click()
    ask(page, "will police knock on my door for ICE? answer in English please")
    card = wait_for_cards(page, 1)
    assert sentences_shown(card, "short") == store.topics["home_visits"].short["en"]
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "en"
    # the choice is English now: an ambiguous message keeps English
    assert page.execute_script("return sessionStorage.getItem('chosen')") == "en"


def test_say_that_in_spanish_repeats_the_answer_in_spanish_and_the_page_switches(page):
    ask(page, "will police knock on my door for ICE?")
    assert sentences_shown(wait_for_cards(page, 1), "short") == store.topics["home_visits"].short["en"]
    ask(page, "can you say that in Spanish?")
    card = wait_for_cards(page, 2)
    assert card.get_attribute("data-topic") == "home_visits"
    assert sentences_shown(card, "short") == store.topics["home_visits"].short["es"]
    assert page.find_element(By.TAG_NAME, "html").get_attribute("lang") == "es"
    assert page.find_element(By.CSS_SELECTOR, ".lang-choice[data-lang='es']").get_attribute("aria-pressed") == "true"
    assert page.find_element(By.ID, "send").text == ES.ui["send"]


def test_did_this_help_is_one_tap_and_a_no_offers_to_share_the_question(page):
    ask(page, "will police knock on my door for ICE?")
    card = wait_for_cards(page, 1)
    rating = card.find_element(By.CSS_SELECTOR, ".rating")
    assert rating.find_element(By.CSS_SELECTOR, ".rating-question").text == EN.messages["rating_question"]
    titles = [b.text for b in rating.find_elements(By.TAG_NAME, "button")]
    assert titles == [EN.messages["rating_yes"], EN.messages["rating_no"]]
    related = [b.text for b in card.find_elements(By.CSS_SELECTOR, ":scope > .related button")]
    assert related and not set(titles) & set(related)  # apart from the related questions
    rating.find_elements(By.TAG_NAME, "button")[1].click()
    WebDriverWait(page, 30).until(lambda d: EN.messages["rating_sorry"] in d.find_element(By.ID, "log").text)
    assert not rating.is_displayed()  # rated once: the buttons are gone
    log = page.find_element(By.ID, "log").text
    assert "will police knock on my door for ICE?" in log.split(EN.messages["rating_sorry"], 1)[1]  # the offer shows it
    assert EN.messages["share_button"] in [b.text for b in page.find_elements(By.CSS_SELECTOR, ".bot .related button")]


@pytest.mark.parametrize("payload", ["<img src=x onerror=alert(1)>", "<script>window.__pwned = 1; alert(2)</script>"])
def test_markup_is_shown_as_text_and_never_runs(page, payload):
    ask(page, payload)
    WebDriverWait(page, 60).until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".msg.bot")) >= 1)
    time.sleep(0.5)
    mine = page.find_element(By.CSS_SELECTOR, ".msg.user .text")
    assert mine.text == payload
    log = page.find_element(By.ID, "log")
    assert not log.find_elements(By.TAG_NAME, "img") and not log.find_elements(By.TAG_NAME, "script")
    assert page.execute_script("return window.__pwned") is None
    with pytest.raises(NoAlertPresentException):
        _ = page.switch_to.alert.text


def test_action_server_down_shows_friendly_failure_keeps_question_and_recovers(page, live):
    question = "Can I call 911 if I am undocumented?"
    live.stop_actions()
    try:
        ask(page, question)
        error = WebDriverWait(page, 60).until(EC.visibility_of_element_located((By.ID, "error")))
        assert EN.messages["unavailable"] in error.text and EN.ui["kept"] in error.text
        assert page.find_element(By.ID, "question").get_attribute("value") == question
        assert not page.find_elements(By.CSS_SELECTOR, ".msg.user")
    finally:
        live.start_actions()
    page.find_element(By.ID, "retry").click()
    card = wait_for_cards(page, 1)
    assert card.get_attribute("data-topic") == "report_crime_safely"
    assert not page.find_element(By.ID, "error").is_displayed()
    assert page.find_element(By.ID, "question").get_attribute("value") == ""


def test_rasa_server_down_is_a_friendly_failure_too(page, live):
    page.execute_script("window.fetch = function () { return Promise.reject(new TypeError('offline')); }")
    ask(page, "does lmpd enforce immigration law")
    error = WebDriverWait(page, 30).until(EC.visibility_of_element_located((By.ID, "error")))
    assert EN.ui["kept"] in error.text
    assert page.find_element(By.ID, "question").get_attribute("value") == "does lmpd enforce immigration law"


def test_no_accessibility_violations_that_are_serious_or_critical(page):
    ask(page, "Will police knock on my door for ICE?")
    wait_for_cards(page, 1)
    for lang in ("en", "es"):
        page.find_element(By.CSS_SELECTOR, f".lang-choice[data-lang='{lang}']").click()
        bad = serious_axe_violations(page)
        assert not bad, f"{lang}: {bad}"


def test_layout_fits_320px_and_respects_reduced_motion(page):
    ask(page, "what did the kycir report find")
    wait_for_cards(page, 1)
    page.set_window_size(320, 800)
    inner = page.execute_script("return window.innerWidth")
    page.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 320, "height": 800, "deviceScaleFactor": 1, "mobile": True}
    )
    try:
        width = page.execute_script("return document.documentElement.scrollWidth")
        assert width <= 320, f"horizontal scrolling at 320 px (scrollWidth {width}, inner {inner})"
        page.execute_cdp_cmd(
            "Emulation.setEmulatedMedia", {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]}
        )
        page.execute_script("document.getElementById('typing').hidden = false")
        animation = page.execute_script(
            "return getComputedStyle(document.querySelector('.dots'), '::after').animationName"
        )
        assert animation == "none"
    finally:
        page.execute_cdp_cmd("Emulation.setEmulatedMedia", {"features": []})
        page.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_privacy_no_cookies_no_third_party_requests_and_a_strict_csp(page, live):
    ask(page, "is this still the policy?")
    wait_for_cards(page, 1)
    assert page.get_cookies() == []
    origin = live.url.replace("127.0.0.1", "127.0.0.1")
    resources = page.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    assert resources and all(r.startswith(origin) for r in resources), resources
    for path in ("", "app.js", "style.css", "strings.json"):
        response = requests.get(f"{live.url}/webhooks/webchat/{path}", timeout=10)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in csp
        assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize(
    "lang,question",
    [("en", "Will police knock on my door for ICE?"), ("es", "¿la policía va a tocar mi puerta por ICE?")],
)
def test_phone_first_screen_shows_the_short_answer_and_its_date(page, lang, question):
    """At 375 px, with the answer scrolled to the top of the screen, the short
    answer and the date of the newest change are on the first screen (667 px)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_window_size(375, 667)
    page.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 375, "height": 667, "deviceScaleFactor": 1, "mobile": True}
    )
    try:
        page.find_element(By.CSS_SELECTOR, f".lang-choice[data-lang='{lang}']").click()
        ask(page, question)
        card = wait_for_cards(page, 1)
        page.execute_script("arguments[0].scrollIntoView({block: 'start'})", card)
        height = page.execute_script("return window.innerHeight")
        for part in (".short", ".latest"):
            bottom = page.execute_script(
                "return arguments[0].getBoundingClientRect().bottom", card.find_element(By.CSS_SELECTOR, part)
            )
            assert 0 < bottom <= height, f"{part} ends at {bottom}px, below the first screen ({height}px)"
        path = ARTIFACTS / f"answer-{lang}-phone-first-screen.png"
        assert page.save_screenshot(str(path)) and path.stat().st_size > 10_000
    finally:
        page.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


@pytest.mark.parametrize(
    "lang,question",
    [
        ("en", "Will police knock on my door for ICE?"),
        ("es", "¿la policía va a tocar mi puerta por ICE?"),
        ("fr", "Est-ce que la police va frapper à ma porte pour ICE ?"),
        ("ar", store.topics["home_visits"].title["ar"]),
        ("uk", store.topics["home_visits"].title["uk"]),
        ("sw", store.topics["home_visits"].title["sw"]),
        ("so", store.topics["home_visits"].title["so"]),
        ("prs", store.topics["home_visits"].title["prs"]),
        ("ne", store.topics["home_visits"].title["ne"]),
    ],
)
def test_screenshots_of_a_full_answer_at_phone_and_desktop_width(page, lang, question):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.find_element(By.CSS_SELECTOR, f".lang-choice[data-lang='{lang}']").click()
    ask(page, question)
    card = wait_for_cards(page, 1)
    for section in card.find_elements(By.TAG_NAME, "details"):
        section.find_element(By.TAG_NAME, "summary").click()
    for name, width in ((f"{lang}-phone", 375), (f"{lang}-desktop", 1280)):
        page.set_window_size(width, 900)
        height = page.execute_script("return document.documentElement.scrollHeight")
        page.set_window_size(width, min(height + 150, 12000))
        page.execute_script("window.scrollTo(0, 0)")
        path = ARTIFACTS / f"answer-{name}.png"
        assert page.save_screenshot(str(path)) and path.stat().st_size > 10_000


# ---------------------------------------------------------------- what each sentence rests on
#
# Each sentence of "In short" and "In more detail" is followed by a numbered
# button that opens its grounds (the payload's `grounds`, computed here from the
# real store by the same function the action server uses).

HOME_VISITS = {"en": "Will police knock on my door for ICE?", "es": "¿la policía va a tocar mi puerta por ICE?"}
LANGUAGES = {"en": EN, "es": ES}


def grounds_payload(topic_id, lang):
    return topic_payload(store, store.topics[topic_id], lang)["grounds"]


def home_visits_answer(page, lang):
    page.find_element(By.CSS_SELECTOR, f".lang-choice[data-lang='{lang}']").click()
    ask(page, HOME_VISITS[lang])
    card = wait_for_cards(page, 1)
    assert card.get_attribute("data-topic") == "home_visits"
    return card


def markers(card, part):
    return card.find_elements(By.CSS_SELECTOR, f".{part} button.ground-marker")


def panel_of(page, marker):
    return page.find_element(By.ID, marker.get_attribute("aria-controls"))


def first_cited(sentence):
    """The first ground of a sentence that cites a source, and that source."""
    cited = [g for g in sentence["grounds"] if g["source"]]
    assert cited, f"no ground of {sentence['sentence']!r} cites a source"
    return cited[0], cited[0]["source"]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_sentence_of_the_short_answer_has_a_numbered_marker(page, lang):
    card = home_visits_answer(page, lang)
    grounds = grounds_payload("home_visits", lang)
    ui = LANGUAGES[lang].ui
    for part in ("short", "summary"):
        if part == "summary":
            open_section(card, "more-detail")
        shown = markers(card, part)
        assert [m.text for m in shown] == [str(n) for n in range(1, len(grounds[part]) + 1)], part
        assert sentences_of(card, part) == [item["sentence"] for item in grounds[part]]
        for n, marker in enumerate(shown, 1):
            assert marker.get_attribute("type") == "button"
            assert marker.accessible_name == f"{ui['grounds_open']} {n}"
            assert marker.get_attribute("aria-expanded") == "false"
            assert not panel_of(page, marker).is_displayed()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_marker_opens_the_sentences_grounds_and_source_at_375px(page, lang):
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.set_window_size(375, 667)
    page.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride", {"width": 375, "height": 667, "deviceScaleFactor": 1, "mobile": True}
    )
    try:
        card = home_visits_answer(page, lang)
        sentence = grounds_payload("home_visits", lang)["short"][0]
        first, source = sentence["grounds"][0], first_cited(sentence)[1]
        marker = markers(card, "short")[0]
        marker.click()
        assert marker.get_attribute("aria-expanded") == "true"
        panel = panel_of(page, marker)
        assert panel.is_displayed()
        assert first["label"] in panel.text
        assert first["text"] in panel.text
        assert source["publisher"] in panel.text
        if first["kind"] in ("quote", "passage"):  # verbatim English, marked as such on a Spanish page
            assert panel.find_element(By.CSS_SELECTOR, "blockquote.ground-text").get_attribute("lang") == "en"
        assert panel.find_element(By.CSS_SELECTOR, ".grounds-close").text == LANGUAGES[lang].ui["grounds_close"]
        width = page.execute_script("return document.documentElement.scrollWidth")
        assert width <= 375, f"horizontal scrolling at 375 px with a panel open (scrollWidth {width})"
        page.execute_script(
            "arguments[0].scrollIntoView({block: 'start'})", card.find_element(By.CSS_SELECTOR, ".in-short")
        )
        path = ARTIFACTS / f"answer-{lang}-phone-grounds-open.png"
        assert page.save_screenshot(str(path)) and path.stat().st_size > 10_000
    finally:
        page.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def test_markers_open_and_close_by_keyboard_and_focus_returns(page):
    card = home_visits_answer(page, "en")
    marker = markers(card, "short")[0]
    panel = panel_of(page, marker)
    page.execute_script("arguments[0].focus()", marker)
    # back and forth with the keyboard, as a keyboard user arrives at it
    ActionChains(page).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).send_keys(Keys.TAB).perform()
    assert page.switch_to.active_element == marker
    outline = page.execute_script("return getComputedStyle(arguments[0]).outlineStyle", marker)
    assert outline not in ("", "none")  # focus is visible
    ActionChains(page).send_keys(Keys.ENTER).perform()
    assert panel.is_displayed() and marker.get_attribute("aria-expanded") == "true"
    ActionChains(page).send_keys(Keys.ESCAPE).perform()
    assert not panel.is_displayed() and marker.get_attribute("aria-expanded") == "false"
    assert page.switch_to.active_element == marker
    # Space opens it too; from inside the panel, Escape and the close button both close it
    ActionChains(page).send_keys(Keys.SPACE).perform()
    assert panel.is_displayed()
    close = panel.find_element(By.CSS_SELECTOR, ".grounds-close")
    page.execute_script("arguments[0].focus()", close)
    ActionChains(page).send_keys(Keys.ESCAPE).perform()
    assert not panel.is_displayed() and page.switch_to.active_element == marker
    ActionChains(page).send_keys(Keys.ENTER).perform()
    page.execute_script("arguments[0].focus()", close)
    ActionChains(page).send_keys(Keys.ENTER).perform()
    assert not panel.is_displayed() and page.switch_to.active_element == marker


@pytest.mark.parametrize("lang", ["en", "es"])
def test_no_accessibility_violations_with_a_grounds_panel_open(page, lang):
    card = home_visits_answer(page, lang)
    marker = markers(card, "short")[0]
    marker.click()
    assert panel_of(page, marker).is_displayed()
    bad = serious_axe_violations(page)
    assert not bad, f"{lang}: {bad}"


def test_an_answer_without_grounds_is_drawn_as_plain_text(page):
    """A server from before `grounds` (or an answer without them): the page draws the text as it did."""
    page.execute_script(
        "var real = window.fetch;"
        "window.fetch = function (url, options) {"
        "  return real(url, options).then(function (r) {"
        "    if (!/webhook$/.test(url)) return r;"
        "    return r.json().then(function (body) {"
        "      body.forEach(function (m) { if (m.custom) delete m.custom.grounds; });"
        "      return new Response(JSON.stringify(body), {status: r.status});"
        "    });"
        "  });"
        "};"
    )
    card = home_visits_answer(page, "en")
    assert card.find_element(By.CSS_SELECTOR, "p.short").text == store.topics["home_visits"].short["en"]
    assert not card.find_elements(By.CSS_SELECTOR, ".ground-marker")
