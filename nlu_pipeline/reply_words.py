"""A Rasa graph component that understands the short replies people send on a
phone, on every channel, before the FallbackClassifier:

* a message that is only a reply word of some language (MORE, MAS, MÁS,
  SOURCES, FUENTES: each language's `keywords` in the answer store, with the
  spaces and end marks policy_assistant.reply_words allows) gets `ask_more`
  or `ask_who_said` with confidence 1. The actions answer in the reply word's
  language (policy_assistant.language).
* a bare number from 1 to 99 gets `choose_option`, with the number as the
  entity `option_number`: action_choose_option answers the numbered option it
  names (the `options` slot).

Either replaces the classifiers' ranking, so that no gate after it takes the
message for something else. STOP and the other opt-out words are the phone
channel's (it forgets the conversation before the NLU sees the message), so
they are left to the classifiers here.

The reply words come from the Rasa server's texts file
(policy_assistant.server_texts), read again when a publish changes it: no
retraining. Without it, numbers are still understood; reply words go to the
classifiers."""

from __future__ import annotations

from typing import Any, Dict, List

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from nlu_pipeline.untrained import UntrainedComponent
from policy_assistant import server_texts
from policy_assistant.names import ASK_MORE, ASK_WHO_SAID, CHOOSE_OPTION, OPTION_NUMBER
from policy_assistant.reply_words import MORE, SOURCES, option_number, reply_word

INTENTS = {MORE: ASK_MORE, SOURCES: ASK_WHO_SAID}


def decide(message: Message, intent: str) -> None:
    """Make `intent` the message's only intent, with full confidence."""
    chosen = {"name": intent, "confidence": 1.0}
    message.set("intent", chosen, add_to_output=True)
    message.set("intent_ranking", [chosen], add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class ReplyWords(UntrainedComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {}

    def process(self, messages: List[Message]) -> List[Message]:
        texts = server_texts.read()
        keywords = texts.keywords if texts else {}
        for message in messages:
            text = message.get("text") or ""
            number = option_number(text)
            if number is not None:
                decide(message, CHOOSE_OPTION)
                self.tag_whole_message(message, OPTION_NUMBER, str(number))
                continue
            word = reply_word(text, keywords)
            if word is not None and word[0] in INTENTS:
                decide(message, INTENTS[word[0]])
        return messages
