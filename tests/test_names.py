"""The names that the channels, the NLU's components and the actions share
(policy_assistant/names.py) are the ones domain.yml declares, and the channels
are the ones Rasa knows them by."""

import yaml

from devtools.paths import PROJECT
from policy_assistant import names
from rasa_server.phone_channel import PhoneInput
from rasa_server.webchat_channel import WebChatInput

DOMAIN = yaml.safe_load((PROJECT / "domain.yml").read_text(encoding="utf-8"))
RASA_DEFAULT_INTENTS = {"nlu_fallback"}


def test_every_shared_intent_slot_and_entity_is_in_the_domain():
    intents = set(DOMAIN["intents"]) | RASA_DEFAULT_INTENTS
    for name in (names.ASK_MORE, names.ASK_WHO_SAID, names.ASK_WHEN_SAID, names.CHOOSE_OPTION, names.OTHER_PLACE):
        assert name in intents, name
    assert names.NLU_FALLBACK in RASA_DEFAULT_INTENTS
    for name in (names.LANGUAGE_SLOT, names.LAST_TOPIC_SLOT, names.OPTIONS_SLOT):
        assert name in DOMAIN["slots"], name
    for name in (names.OPTION_NUMBER, names.FOREIGN_LANGUAGE):
        assert name in DOMAIN["entities"], name


def test_the_channels_are_named_as_the_actions_know_them():
    assert PhoneInput.name() == names.PHONE_CHANNEL
    assert WebChatInput.name() == names.WEBCHAT_CHANNEL
