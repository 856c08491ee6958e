"""SMS and WhatsApp through Twilio: POST /webhooks/twilio/webhook.

Rasa's own Twilio channel (rasa.core.channels.twilio), extended through its
hooks, with what a public text line needs:

* Every request must carry a valid `X-Twilio-Signature` (the Twilio library's
  RequestValidator over every posted field, empty ones included, and over
  $TWILIO_WEBHOOK_URL when set, the URL Twilio calls behind a proxy, else the
  URL the request came to). Unsigned, wrongly signed and replayed-with-changes
  requests, and forms with a field twice, get 403; an exact replay of a
  message already answered (the same MessageSid, within REPLAY_SECONDS) gets
  an empty reply. The answered MessageSids are kept as hashes, in Redis when
  conversations are kept there (several servers), else in this process.
* The conversation id is an HMAC of the phone number with
  $TWILIO_SENDER_SECRET: the number itself is never in the tracker, never
  logged, never counted. It is kept only for the length of the request, to
  send the reply.
* The assistant's actions make replies for a small screen
  (policy_assistant/phone_messages.py); here buttons become numbered options,
  a first reply gets the privacy line, and at most 3 messages go out.
* What the person wrote goes on to Rasa as written: the NLU understands the
  reply words MORE/MAS and SOURCES/FUENTES and a number that picks an option
  (nlu_pipeline/reply_words.py), as on every channel. A person's own "/..."
  is plain text.
* STOP/ALTO and Twilio's other opt-out words stay here, because forgetting a
  conversation is the channel's part: they forget it at once (after a turn
  still running for it, under Rasa's lock); the reply says "forgotten" only
  when a conversation was kept and is gone.
* The channel's own texts (the privacy line, the replies to a stop, "could
  not read that") come from the server's texts file
  (policy_assistant.server_texts), never from the answer store itself.
* A message whose text is not well-formed Unicode gets the friendly
  "could not read that" reply, never "I can't reach my answers".
* Twilio gets its answer (empty TwiML) at once; the reply is made right after
  in a bounded turn (rasa_server/turns.py) and sent through Twilio's API, and
  the person gets "I can't reach my answers" when the action server cannot
  answer.

With no credentials in the environment the channel is off: its webhook
answers 404 and `make run` says so."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List
from urllib.parse import parse_qsl

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.twilio import TwilioInput, TwilioOutput
from rasa.shared.core.events import BotUttered
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator

from policy_assistant import language, phone_messages, server_texts
from policy_assistant.names import LANGUAGE_SLOT, PHONE_CHANNEL
from policy_assistant.reply_words import STOP, bare, reply_word
from policy_assistant.schema import DEFAULT_LANGUAGE
from policy_assistant.secret_check import check_secret
from policy_assistant.server_texts import ServerTexts
from rasa_server import fallback_messages, http_limits
from rasa_server.incoming import Refused, clean_text
from rasa_server.settings import PhoneEnvironment
from rasa_server.tracker_store import Forgot, configured_store, conversation, forget_conversation
from rasa_server.turns import Outcome, TurnRunner

logger = logging.getLogger(__name__)
TWILIO_API = "https://api.twilio.com"
EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'
# An exact replay of a message answered this recently is not answered again.
# Twilio sends a webhook again only while its first request is failing: at
# most 5 retries, all within 15 s ("tt", whose maximum is 15,000 ms:
# https://www.twilio.com/docs/usage/webhooks/webhooks-connection-overrides).
# A day is kept all the same: a request signed by Twilio carries no time, so
# one that was copied stays valid, and a day of hashes is small.
REPLAY_SECONDS = 24 * 60 * 60
MAX_ANSWERED_HERE = 100_000  # in this process's memory, the oldest go first beyond this
# Twilio's own opt-out words: on SMS, Twilio blocks further messages to the
# phone until it texts START, and passes the message on; each forgets the
# conversation as STOP does. REVOKE and OPTOUT since 14 May 2025
# (https://www.twilio.com/en-us/blog/update-to-fcc-s-sms-opt-out-keywords).
# They are the same words in every language, so the reply is in the
# conversation's language. Twilio also marks a message that matched an
# opt-out word set in its console (Advanced Opt-Out) with OptOutType=STOP.
TWILIO_OPT_OUT = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"})
STOP_WORDS = {"ALTO": "es"}  # a language's own stop word, understood even when the server's texts cannot be read
# What a stop gets, by what forgetting did: "forgotten" only when a
# conversation was kept and is gone now; "nothing to forget" when nothing was
# kept; when the tracker store could not be reached, the goodbye, which is
# true then: the conversation expires 30 minutes after its last message.
STOP_REPLIES = {Forgot.FORGOTTEN: "stopped", Forgot.NOTHING: "nothing_to_forget", Forgot.UNREACHABLE: "goodbye"}
# the Twilio library logs each API request at INFO; none of it belongs in our logs
_quiet = logging.getLogger(f"{__name__}.twilio_http")
_quiet.setLevel(logging.WARNING)


@dataclass(frozen=True)
class PhoneSettings:
    account_sid: str
    auth_token: str
    number: str
    sender_secret: bytes
    api_url: str | None = None  # another base URL for the outgoing client (a local stub in tests)
    webhook_url: str | None = None  # the URL Twilio signs, when a proxy stands in front

    @classmethod
    def from_env(cls) -> PhoneSettings | None:
        env = PhoneEnvironment()
        sid, token, number = env.twilio_account_sid.strip(), env.twilio_auth_token.strip(), env.twilio_number.strip()
        if not (sid and token and number):
            return None
        # it hides phone numbers: a guessable one would not
        check_secret("TWILIO_SENDER_SECRET", env.twilio_sender_secret)
        return cls(
            account_sid=sid,
            auth_token=token,
            number=number,
            sender_secret=env.twilio_sender_secret.encode(),
            api_url=env.twilio_api_url or None,
            webhook_url=env.twilio_webhook_url or None,
        )


def conversation_id(secret: bytes, phone: str) -> str:
    """The conversation of a phone number, without the number."""
    return "twilio:" + hmac.new(secret, phone.encode(), hashlib.sha256).hexdigest()[:32]


def readable(value: str) -> str:
    """A form value as text: each byte that was not UTF-8 (kept by `form` as a
    surrogate escape) becomes U+FFFD, as a lenient reader shows it."""
    return value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


class AnsweredMessages:
    """The messages already answered, by MessageSid, for REPLAY_SECONDS. A
    MessageSid is not personal, but only its SHA-256 is kept.

    When conversations are kept in Redis (endpoints-scaled.yml), there, with
    SET NX and an expiry (rasa_server.redis_stores), so that a retry that
    reaches another server is not answered twice. Always also in this
    process's memory, which answers alone without Redis or while Redis cannot
    be reached."""

    def __init__(self, seconds: int = REPLAY_SECONDS, most: int = MAX_ANSWERED_HERE) -> None:
        self.seconds = seconds
        self.most = most
        self.here: OrderedDict[str, float] = OrderedDict()  # hash -> when, oldest first

    def first_time(self, message_sid: str, tracker_store: Any) -> bool:
        """Whether `message_sid` is new; it is remembered as answered from now on."""
        if not message_sid:
            return True  # nothing to tell it by (Twilio always sends one)
        digest = hashlib.sha256(message_sid.encode()).hexdigest()
        new_here = self._first_time_here(digest)
        shared = getattr(configured_store(tracker_store), "first_time", None)
        if callable(shared):
            new = shared(f"twilio:answered:{digest}", self.seconds)
            if new is not None:  # None: Redis cannot be reached, this process's memory answers
                return bool(new)
        return new_here

    def _first_time_here(self, digest: str) -> bool:
        now = time.monotonic()
        while self.here and (now - next(iter(self.here.values())) > self.seconds or len(self.here) >= self.most):
            self.here.popitem(last=False)
        if digest in self.here:
            return False
        self.here[digest] = now
        return True


class RebasedHttpClient(TwilioHttpClient):
    """Twilio's HTTP client, quiet, and sending to `base` instead of Twilio's API."""

    def __init__(self, base: str | None) -> None:
        super().__init__(logger=_quiet, timeout=5)
        self.base = base.rstrip("/") if base else None

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if self.base and url.startswith(TWILIO_API):
            url = self.base + url[len(TWILIO_API) :]
        return super().request(method, url, *args, **kwargs)


class PhoneOutput(TwilioOutput):
    """Rasa's Twilio output channel, sending each message without blocking the
    server and without logging who it goes to or what it says."""

    def __init__(self, settings: PhoneSettings) -> None:
        super().__init__(settings.account_sid, settings.auth_token, settings.number)
        self.http_client = RebasedHttpClient(settings.api_url)

    async def send_texts(self, to: str, texts: List[str]) -> int:
        """Send `texts` to `to`, in order; the number sent."""
        sender = self.twilio_number or ""
        if to.startswith("whatsapp:") and not sender.startswith("whatsapp:"):
            sender = f"whatsapp:{sender}"
        sent = 0
        for text in texts:
            try:
                await asyncio.to_thread(self.messages.create, to=to, from_=sender, body=text)
            except Exception as error:  # noqa: BLE001 - logged by kind only: never the number or the text
                status = getattr(error, "status", "")
                logger.error("Sending a text message failed (%s %s)", type(error).__name__, status)
                break
            sent += 1
        return sent


class WholeMessages(CollectingOutputChannel):
    """Collects each of the assistant's messages whole (Rasa's collector splits
    a text at blank lines, which would turn one phone message into many)."""

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self._persist_message(self._message(recipient_id, text=text))


class PhoneInput(TwilioInput):
    @classmethod
    def name(cls) -> str:
        return PHONE_CHANNEL

    @classmethod
    def from_credentials(cls, credentials: Dict[str, Any] | None) -> InputChannel:
        # the credentials come from the environment (README), never from a file
        return cls(PhoneSettings.from_env())

    def __init__(self, settings: PhoneSettings | None) -> None:
        super().__init__(
            settings.account_sid if settings else None,
            settings.auth_token if settings else None,
            settings.number if settings else None,
            debug_mode=False,
        )
        self.settings = settings
        self.answered = AnsweredMessages()
        self.replying: set[asyncio.Task] = set()  # replies being made after Twilio got its answer

    def get_output_channel(self) -> PhoneOutput:
        assert self.settings is not None
        return PhoneOutput(self.settings)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        channel = Blueprint("twilio_webhook", __name__)
        turns = TurnRunner(on_new_message)
        channel.listener("before_server_start")(http_limits.apply)

        @channel.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.settings else "off"})

        @channel.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if self.settings is None:
                return response.json({"error": "the text message channel is off"}, status=404)
            return await self.respond(request, turns, self.settings)

        return channel

    # ---------------------------------------------------------------- one message
    def form(self, request: Request) -> Dict[str, str] | None:
        """The form Twilio posted, empty values included (Twilio signs them),
        or None when a field comes twice (Twilio never sends that). Values are
        kept as posted: bytes that are not UTF-8 (the three bytes of a lone
        UTF-16 surrogate, a cut character) stay as surrogate escapes, so that
        such a Body is refused as unreadable (clean_text); `readable` gives a
        value as text."""
        text = request.body.decode("utf-8", "surrogateescape")
        pairs = parse_qsl(text, keep_blank_values=True, errors="surrogateescape")
        form = dict(pairs)
        return form if len(form) == len(pairs) == len({readable(name) for name in form}) else None

    def signed(self, request: Request, form: Dict[str, str], settings: PhoneSettings) -> bool:
        """Whether Twilio signed this form, read as text (bytes that are not
        UTF-8 as U+FFFD)."""
        signature = request.headers.get("X-Twilio-Signature", "")
        url = settings.webhook_url or request.url
        params = {readable(name): readable(value) for name, value in form.items()}
        return bool(signature) and bool(RequestValidator(settings.auth_token).validate(url, params, signature))

    def replayed(self, message_sid: str, tracker_store: Any = None) -> bool:
        """Whether this message was answered already (here, or by another
        server sharing Redis); from now on it has been."""
        return not self.answered.first_time(message_sid, tracker_store)

    async def respond(self, request: Request, turns: TurnRunner, settings: PhoneSettings) -> HTTPResponse:
        """Check the request and answer Twilio at once; the reply is made and
        sent through Twilio's API right after, so Twilio's webhook time limit
        is never at stake."""
        form = self.form(request)
        if form is None or not self.signed(request, form, settings):
            return response.text("forbidden", status=403)
        phone = readable(form.get("From") or "")
        if not phone:
            return response.text("no sender", status=400)
        agent = getattr(request.app.ctx, "agent", None)
        if not self.replayed(readable(form.get("MessageSid") or ""), getattr(agent, "tracker_store", None)):
            opted_out = readable(form.get("OptOutType") or "").upper() == "STOP"
            task = asyncio.ensure_future(
                self.reply(agent, turns, settings, phone, form.get("Body") or "", opted_out=opted_out)
            )
            self.replying.add(task)
            task.add_done_callback(self.replying.discard)
        return response.text(EMPTY_TWIML, content_type="text/xml")

    async def reply(
        self, agent: Any, turns: TurnRunner, settings: PhoneSettings, phone: str, body: str, opted_out: bool = False
    ) -> None:
        try:
            await self._reply(agent, turns, settings, phone, body, opted_out)
        except Exception as error:  # noqa: BLE001 - logged by kind only: never the number or the text
            logger.error("Answering a text message failed: %s", type(error).__name__)

    async def _reply(
        self, agent: Any, turns: TurnRunner, settings: PhoneSettings, phone: str, body: str, opted_out: bool
    ) -> None:
        texts = server_texts.read()
        out = self.get_output_channel()
        sender_id = conversation_id(settings.sender_secret, phone)
        before = await conversation(agent, sender_id)
        first = before is None or not any(isinstance(e, BotUttered) for e in before.events)
        spoken = before.get_slot(LANGUAGE_SLOT) if before else None  # the conversation's language, if any
        try:
            # a person's "/..." is text like any other: it never names an intent
            text = clean_text(body)
        except Refused:
            # text that is not well-formed Unicode: a message to type again, not an outage
            await out.send_texts(phone, [_unreadable(spoken)])
            return
        stop = _stop_language(texts, text, spoken, opted_out)
        if stop is not None:
            forgot = await _forget(agent, sender_id)
            await out.send_texts(phone, [fallback_messages.message_in(STOP_REPLIES[forgot], stop)])
            return
        collector = WholeMessages()
        outcome = await turns.run(UserMessage(text, collector, sender_id, input_channel=self.name()))
        after = await conversation(agent, sender_id)
        # the language the actions chose; when they could not answer, the one the message chooses
        chosen = after.get_slot(LANGUAGE_SLOT) if after else None
        lang = chosen or (language.choose(text, texts.languages, slot=spoken) if texts else DEFAULT_LANGUAGE)
        said = [(m.get("text") or "", m.get("buttons") or []) for m in collector.messages if m.get("text")]
        if outcome is Outcome.BUSY:
            said = [(fallback_messages.message_in("busy", lang), [])]
        elif not said:
            said = [(fallback_messages.message_in("unavailable", lang), [])]
        privacy = None
        if first and texts is not None:
            carrier = "whatsapp" if phone.startswith("whatsapp:") else "sms"
            privacy = texts.message(f"phone_privacy_{carrier}", lang)
        await out.send_texts(phone, phone_messages.outgoing(said, privacy))


def _stop_language(texts: ServerTexts | None, text: str, spoken: str | None, opted_out: bool) -> str | None:
    """The language to answer a stop in, or None when the message is not one.
    Twilio's opt-out words are the same in every language: the conversation's;
    a language's own stop word (ALTO): that language."""
    word = bare(text)
    if word in TWILIO_OPT_OUT or opted_out:
        return spoken or DEFAULT_LANGUAGE
    found = reply_word(text, texts.keywords) if texts else None
    if found is None:
        return STOP_WORDS.get(word)
    kind, lang = found
    return lang if kind == STOP else None


def _unreadable(lang: str | None) -> str:
    """The "could not read that message" reply, in the conversation's language,
    or in every language when there is no conversation to tell it by (as the
    web chat's refusals)."""
    return fallback_messages.message_in("unreadable", lang) if lang else fallback_messages.every_language("unreadable")


async def _forget(agent: Any, sender_id: str) -> Forgot:
    """Forget a conversation at once, after the turn running for it, if any
    (holding Rasa's lock on the conversation, so that turn cannot save it
    again); what that did."""
    tracker_store = getattr(agent, "tracker_store", None)
    lock_store = getattr(agent, "lock_store", None)
    if lock_store is None:
        return forget_conversation(tracker_store, sender_id)
    async with lock_store.lock(sender_id, wait_time_in_seconds=0.1):
        return forget_conversation(tracker_store, sender_id)
