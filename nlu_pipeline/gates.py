"""Rasa graph components that stop the assistant from answering a
question that was not asked. All but the last run after the intent classifier
and after the FallbackClassifier (whose ambiguity check would otherwise undo
them), and override the intent with full confidence:

* LanguageGate: a message in a language the assistant does not speak gets the
  intent `unsupported_language` (and the entity `foreign_language` with the
  language's ISO code), never a policy topic. The verdict comes from
  policy_assistant.text, the project's one language module.
* UrgencyGate: a message that puts danger in the present ("right now",
  "ahorita": an `urgency` entity from the entity ruler) gets `emergency`, so
  that "call 911" comes first, unless its intent is one that must stand. So
  does a message the classifier ranks as `emergency` with at least
  `emergency_at_least` confidence, even when another intent ranks higher: the
  two mistakes do not cost the same. "Call 911 if anyone is in danger" before
  the topics costs someone who only asked a question a line; a policy answer
  to someone in danger costs far more.
* JurisdictionGate: a question about police somewhere other than Louisville
  (a `place` entity from the project's entity ruler, and no `local_place` or
  local agency) gets the intent `other_place`, unless its intent is one that
  must stand whatever the place (an emergency, someone's own case, chit-chat).
* LocalQuestionGate, the other way round, BEFORE the FallbackClassifier: when
  the classifier says `other_place` but the message names only Louisville (a
  `local_place` or a local agency, and no `place`), the next intent in its
  ranking is taken, and the FallbackClassifier judges that one as usual: a
  question about Louisville is about Louisville.

The intent the classifier had chosen stays in `intent_ranking`, so the reply
can offer the closest Louisville topic."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Dict, List, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.nlu.training_data.message import Message

from nlu_pipeline.untrained import UntrainedComponent
from policy_assistant import text as text_rules
from policy_assistant.names import EMERGENCY, FOREIGN_LANGUAGE, OTHER_PLACE, UNSUPPORTED_LANGUAGE


def override(message: Message, intent: str) -> None:
    """Make `intent` the message's intent, keeping the classifier's ranking below it."""
    chosen = {"name": intent, "confidence": 1.0}
    ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != intent]
    message.set("intent", chosen, add_to_output=True)
    message.set("intent_ranking", [chosen, *ranking], add_to_output=True)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LanguageGate(UntrainedComponent):
    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        # at start-up, not on the first message
        text_rules.load_language_models([*self.component_config["spoken"], *self.component_config["identified_as"]])

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # below this intent confidence the classifier is unsure, and a likelier
        # verdict of another language is enough (policy_assistant.text);
        # identified_as: the code the language identifier gives a spoken
        # language it has no model of ({fa: prs}: Dari read as Persian)
        return {"spoken": ["en", "es"], "unsure_below": 0.5, "identified_as": {}}

    @staticmethod
    def required_packages() -> List[str]:
        return ["lingua"]

    @classmethod
    def fingerprint_addon(cls, config: Dict[str, Any]) -> str | None:
        """The rules live in policy_assistant/text.py: a change there retrains."""
        return hashlib.sha256(Path(text_rules.__file__).read_bytes()).hexdigest()[:16]

    def process(self, messages: List[Message]) -> List[Message]:
        spoken = self.component_config["spoken"]
        aliases = self.component_config["identified_as"]
        for message in messages:
            text = message.get("text") or ""
            code = text_rules.foreign_language(text, spoken, identified_as=aliases)
            unsure = (message.get("intent") or {}).get("confidence", 1.0) < self.component_config["unsure_below"]
            if code is None and unsure:
                code = text_rules.foreign_language(
                    text, spoken, text_rules.UNSURE_CONFIDENCE, text_rules.UNSURE_RATIO, identified_as=aliases
                )
            if code is None:
                continue
            override(message, UNSUPPORTED_LANGUAGE)
            self.tag_whole_message(message, FOREIGN_LANGUAGE, code)
        return messages


class _PlaceGate(UntrainedComponent):
    def __init__(self, config: Dict[str, Any]) -> None:
        super().__init__(config)
        self.local_agencies = {a.lower() for a in config["local_agencies"]}

    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        return {
            "place_entity": "place",
            "local_entity": "local_place",
            # agencies that mean Louisville ("LMPD"), as the entity ruler spells them
            "local_agencies": [],
        }

    def places_named(self, message: Message) -> Tuple[bool, bool]:
        """(names a place other than Louisville, names Louisville or a local agency)"""
        config = self.component_config
        entities = message.get("entities") or []
        elsewhere = any(e.get("entity") == config["place_entity"] for e in entities)
        here = any(
            e.get("entity") == config["local_entity"]
            or (e.get("entity") == "agency" and str(e.get("value", "")).lower() in self.local_agencies)
            for e in entities
        )
        return elsewhere, here


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class JurisdictionGate(_PlaceGate):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # keep: intents that stand whatever place is named
        return {**_PlaceGate.get_default_config(), "keep": []}

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            intent = (message.get("intent") or {}).get("name")
            if intent in self.component_config["keep"] or intent == UNSUPPORTED_LANGUAGE:
                continue
            elsewhere, here = self.places_named(message)
            if elsewhere and not here:
                override(message, OTHER_PLACE)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class LocalQuestionGate(_PlaceGate):
    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            if (message.get("intent") or {}).get("name") != OTHER_PLACE:
                continue
            elsewhere, here = self.places_named(message)
            ranking = [r for r in message.get("intent_ranking") or [] if r.get("name") != OTHER_PLACE]
            if here and not elsewhere and ranking:
                message.set("intent", ranking[0], add_to_output=True)
                message.set("intent_ranking", ranking, add_to_output=True)
        return messages


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class UrgencyGate(UntrainedComponent):
    @staticmethod
    def get_default_config() -> Dict[str, Any]:
        # emergency_at_least above 1 turns the classifier's part off
        return {"urgency_entity": "urgency", "keep": [], "emergency_at_least": 1.1}

    def process(self, messages: List[Message]) -> List[Message]:
        config = self.component_config
        for message in messages:
            intent = (message.get("intent") or {}).get("name")
            if intent in config["keep"] or intent in (UNSUPPORTED_LANGUAGE, EMERGENCY):
                continue
            marked = any(e.get("entity") == config["urgency_entity"] for e in message.get("entities") or [])
            ranked = max(
                (r.get("confidence", 0.0) for r in message.get("intent_ranking") or [] if r.get("name") == EMERGENCY),
                default=0.0,
            )
            if marked or ranked >= config["emergency_at_least"]:
                override(message, EMERGENCY)
        return messages
