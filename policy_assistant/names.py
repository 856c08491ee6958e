"""Names that more than one part of the assistant uses: the channels
(rasa_server/), the NLU's own components (nlu_pipeline/) and the actions
(actions/). Intents, slots and entities are also declared in domain.yml, where
Rasa reads them (tests/test_names.py checks that each one here is there)."""

# intents
ASK_MORE = "ask_more"  # "tell me more", or a reply word such as MORE or MAS
ASK_WHO_SAID = "ask_who_said"  # "who said that?", or a reply word such as SOURCES or FUENTES
ASK_WHEN_SAID = "ask_when_said"
SAME_QUESTION = "same_question"  # "what about my wife?": the last topic, asked for another person or place
CHOOSE_OPTION = "choose_option"  # a bare number: one of the numbered options last offered
OTHER_PLACE = "other_place"  # set by nlu_pipeline.gates.JurisdictionGate
UNSUPPORTED_LANGUAGE = "unsupported_language"  # set by nlu_pipeline.gates.LanguageGate
EMERGENCY = "emergency"  # also set by nlu_pipeline.gates.UrgencyGate
LEGAL_ADVICE = "legal_advice"  # someone's own immigration case
NLU_FALLBACK = "nlu_fallback"  # Rasa's FallbackClassifier
SHARE_QUESTION = "share_question"  # yes to sharing the last question with city staff (a button's payload)
ANSWER_HELPED = "answer_helped"  # "did this help?": yes (a button's payload, or on a phone its number)
ANSWER_NOT_HELPED = "answer_not_helped"  # "did this help?": no

# entities
OPTION_NUMBER = "option_number"  # the number of a choose_option message (nlu_pipeline/reply_words.py)
FOREIGN_LANGUAGE = "foreign_language"  # the code of a language not spoken (nlu_pipeline.gates.LanguageGate)

# slots
LANGUAGE_SLOT = "language"  # the conversation's language code
LAST_TOPIC_SLOT = "last_topic"  # the topic last answered
LAST_REPLY_SLOT = "last_reply"  # the fixed reply last sent, when it is one to say again in another language
OPTIONS_SLOT = "options"  # the payloads of the numbered options last offered by text message
RATED_TOPIC_SLOT = "rated_topic"  # the topic of the answer just sent with "did this help?"

# message metadata
LANG_METADATA = "lang"  # the language the person chose (a page's language button)
PAGE_LANG_METADATA = "page_lang"  # the language a page is shown in: the last resort

# input channels
PHONE_CHANNEL = "twilio"  # SMS and WhatsApp (rasa_server/phone_channel.py)
WEBCHAT_CHANNEL = "webchat"  # the project's own web page (rasa_server/webchat_channel.py)
