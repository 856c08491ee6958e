"""The staff console in real headless Chromium, against the running assistant:
an editor changes a summary and previews it, a publisher publishes it, the
live assistant's REST answer changes within 2 seconds, the history shows it,
and an undo, published by another publisher, brings the old answer back.
axe-core checks every page."""

from __future__ import annotations

import re
import time

import pytest

from devtools.paths import STORE
from devtools.servers import payloads
from policy_assistant.store import load_store

selenium = pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from tests.browser_support import serious_axe_violations  # noqa: E402
from tests.conftest import STAFF_PASSWORDS  # noqa: E402

pytestmark = pytest.mark.browser

QUESTION = "will the police ask about my immigration status?"
TOPIC = "immigration_status"
NEW_SUMMARY = "Staff console test: a new summary, published from the browser."
NEW_SUMMARY_ES = "Prueba de la consola: un resumen nuevo, publicado desde el navegador."
NEW_SUMMARY_FR = "Essai de la console : un résumé nouveau, publié depuis le navigateur."
GROUND = "police_not_ice"
TITLE = load_store(STORE).topics[TOPIC].title.text("en")


def summary_now(live) -> str:
    found = [p for p in payloads(live.ask(QUESTION, sender="console-check")) if p.get("topic") == TOPIC]
    assert found, "the assistant did not answer the immigration status topic"
    return str(found[0]["summary"])


def seconds_until(live, expected: str, limit: float = 2.0) -> float:
    """Seconds until the REST answer's summary is `expected` (fails after `limit`)."""
    start = time.monotonic()
    while True:
        if summary_now(live) == expected:
            return time.monotonic() - start
        elapsed = time.monotonic() - start
        assert elapsed < limit, f"the live answer did not change within {limit} s"
        time.sleep(0.1)


def sign_in(driver, console, name):
    driver.delete_all_cookies()
    driver.get(console.url + "/staff/sign-in")
    assert not serious_axe_violations(driver)
    driver.find_element(By.NAME, "username").send_keys(name)
    driver.find_element(By.NAME, "password").send_keys(STAFF_PASSWORDS[name])
    driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
    WebDriverWait(driver, 10).until(lambda d: d.find_elements(By.ID, "drafts-h"))


def checked(driver):
    bad = serious_axe_violations(driver)
    assert not bad, f"{driver.current_url}: {bad}"


def test_edit_preview_publish_see_it_live_history_and_undo(browser, console, live):
    old_summary = summary_now(live)
    d = browser

    # 1. an editor signs in
    sign_in(d, console, "maria")
    checked(d)

    # 2. changes a summary and sees the preview
    d.get(f"{console.url}/staff/edit/topics/{TOPIC}.yml")
    checked(d)
    # a summary of one sentence: one in every language too, and one line of
    # grounds (answer_store/README.md, "Grounds")
    typed = {
        **{f"f-summary-{code}": f"A new short summary ({code})." for code in load_store(STORE).languages},
        "f-summary-en": NEW_SUMMARY,
        "f-summary-es": NEW_SUMMARY_ES,
        "f-summary-fr": NEW_SUMMARY_FR,
        "f-grounds-summary": GROUND,
    }
    for box_id, text in typed.items():
        box = d.find_element(By.ID, box_id)
        box.clear()
        box.send_keys(text)
    d.find_element(By.CSS_SELECTOR, "#edit-form button[type=submit]").click()
    WebDriverWait(d, 10).until(lambda x: "Saved in your draft" in x.page_source)
    d.find_element(By.PARTIAL_LINK_TEXT, "Open your draft").click()
    checked(d)
    note = d.find_element(By.ID, "review-note")
    note.send_keys("The summary was too long for a phone.")
    d.find_element(By.XPATH, "//button[text()='Ask for review']").click()
    WebDriverWait(d, 10).until(lambda x: "waiting for a publisher" in x.page_source)
    draft_url = d.current_url
    d.find_element(By.LINK_TEXT, f"Preview {TOPIC} in English").click()
    checked(d)
    assert NEW_SUMMARY not in d.find_element(By.CSS_SELECTOR, "pre.text-preview").text  # text shows the short answer
    d.switch_to.frame(d.find_element(By.CSS_SELECTOR, "iframe.web-preview"))
    WebDriverWait(d, 20).until(lambda x: x.find_elements(By.CSS_SELECTOR, f".card[data-topic='{TOPIC}']"))
    card = d.find_element(By.CSS_SELECTOR, f".card[data-topic='{TOPIC}']")
    assert NEW_SUMMARY in card.get_attribute("textContent")
    d.switch_to.default_content()
    assert summary_now(live) == old_summary  # nobody else sees a draft

    # 3. a publisher signs in and publishes
    sign_in(d, console, "sam")
    d.get(draft_url)
    assert "The summary was too long for a phone." in d.page_source
    d.find_element(By.ID, "publish").click()

    # 4. the live assistant answers with it within 2 seconds
    took = seconds_until(live, NEW_SUMMARY)
    print(f"publish -> live REST answer: {took:.2f} s")

    # 5. the history shows who, the note and the diff
    WebDriverWait(d, 10).until(lambda x: "History of publishes" in x.page_source)
    checked(d)
    first = d.find_element(By.CSS_SELECTOR, "article.publish")
    assert "Written by maria, published by sam" in first.text
    first.find_element(By.TAG_NAME, "summary").click()
    assert f"+    {NEW_SUMMARY}" in first.find_element(By.CSS_SELECTOR, "pre.diff").text

    # 6. undo it: the undo is a draft, and only another publisher's publish brings the old answer back
    first.find_element(By.CSS_SELECTOR, "input[name=note]").send_keys("Undo the browser test")
    first.find_element(By.XPATH, ".//button[text()='Undo this publish']").click()
    WebDriverWait(d, 10).until(lambda x: "waiting for review" in x.page_source)
    checked(d)
    undo_url = d.current_url
    assert summary_now(live) == NEW_SUMMARY  # one publisher alone undoes nothing
    sign_in(d, console, "kim")
    d.get(undo_url)
    d.find_element(By.ID, "publish").click()
    took = seconds_until(live, old_summary)
    print(f"undo published -> live REST answer: {took:.2f} s")
    WebDriverWait(d, 10).until(lambda x: "History of publishes" in x.page_source)
    assert re.search(r"Undo .Edit topics/immigration_status.yml", d.find_element(By.CSS_SELECTOR, "article h2").text)

    # the first page, with the assistant's counts for this topic
    d.get(console.url + "/staff/")
    checked(d)
    cell = f"//figure[@aria-labelledby='topics-c']//th[@scope='row' and text()='{TITLE}']/following-sibling::td[1]"
    assert int(d.find_element(By.XPATH, cell).text) >= 3  # the questions asked above, in the dashboard's table


def test_new_quote_page_has_no_serious_accessibility_problems(browser, console):
    sign_in(browser, console, "maria")
    browser.get(console.url + "/staff/quotes/new")
    checked(browser)
    browser.get(console.url + "/staff/edit/updates.yml")
    checked(browser)


def test_retraining_page_has_no_serious_accessibility_problems(browser, console):
    sign_in(browser, console, "sam")
    browser.get(console.url + "/staff/retraining")
    checked(browser)
    assert "make retrain" in browser.find_element(By.TAG_NAME, "main").text  # this console has no Rasa servers named


def test_review_page_has_no_serious_accessibility_problems(browser, console):
    sign_in(browser, console, "maria")
    browser.get(f"{console.url}/staff/topics/{TOPIC}/review")
    checked(browser)
    assert browser.find_elements(By.CSS_SELECTOR, "table.review td.grounds blockquote")
    assert browser.find_element(By.ID, "mark-reviewed").is_displayed()
    browser.get(f"{console.url}/staff/languages")  # a native speaker marks a language checked here
    checked(browser)
    assert browser.find_element(By.ID, "mark-checked-fr").is_displayed()
    browser.get(f"{console.url}/staff/edit/topics/{TOPIC}.yml")
    assert browser.find_element(By.ID, "f-grounds-short").get_attribute("value").strip()


def test_the_dashboard_draws_what_people_asked_and_rated_with_no_serious_accessibility_problems(browser, console, live):
    """Questions and ratings sent to the running assistant reach the console's
    dashboard (the action server's counts, over the internal call), drawn as
    SVG charts with tables beside them; a screenshot goes to tests/artifacts."""
    for n in range(3):
        live.ask(QUESTION, sender=f"dashboard-{n}")
        live.ask("/answer_helped" if n else "/answer_not_helped", sender=f"dashboard-{n}")
    live.ask("zorbleflax quandary vexing", sender="dashboard-not-sure")
    sign_in(browser, console, "maria")

    def numbers(name: str) -> list:
        cells = browser.find_elements(By.CSS_SELECTOR, f"figure[aria-labelledby='{name}-c'] tbody tr")
        return [[c.text for c in row.find_elements(By.CSS_SELECTOR, "th, td")] for row in cells]

    def counted() -> bool:  # the counts are sent just after each answer
        browser.refresh()
        rated = {row[0]: row[1:] for row in numbers("helped")}
        return TITLE in rated and int(rated[TITLE][0]) >= 2 and int(rated[TITLE][1]) >= 1

    WebDriverWait(browser, 15, poll_frequency=0.5).until(lambda _: counted())
    for name in ("topics", "not-sure", "helped", "languages", "channels"):
        chart = browser.find_element(By.CSS_SELECTOR, f"svg[aria-labelledby='{name}-chart']")
        assert chart.is_displayed() and chart.find_elements(By.CSS_SELECTOR, "rect.bar")
    asked = {row[0]: int(row[1]) for row in numbers("topics")}
    assert asked[TITLE] >= 3 and asked["Not understood"] >= 1
    checked(browser)
    artifacts = STORE.parent / "tests" / "artifacts"
    artifacts.mkdir(parents=True, exist_ok=True)
    browser.set_window_size(1280, 2400)
    dashboard = browser.find_element(By.CSS_SELECTOR, "section.dashboard")
    assert dashboard.screenshot(str(artifacts / "staff-dashboard.png"))
