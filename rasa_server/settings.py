"""The Rasa server's own settings from the environment, read when asked for:
how long a turn may take, the Twilio channel's (SMS and WhatsApp), and the
model loading endpoint's and follower's. Its conversations' Redis settings are
Rasa's, named in endpoints-scaled.yml; where its own texts are (SERVER_TEXTS)
is policy_assistant.settings'."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseSettings, PositiveFloat


class TurnSettings(BaseSettings):
    """How long one turn may take, however slow the action server is, before
    the person gets the "can't reach my answers" reply (rasa_server/turns.py);
    in the scaled deployment also how long a conversation's lock outlives a
    server that died holding it (rasa_server/redis_stores.py)."""

    turn_seconds: PositiveFloat = 9.0


class PhoneEnvironment(BaseSettings):
    """The phone channel is on when the account, its token and the number are set."""

    twilio_account_sid: str = ""
    twilio_auth_token: str = ""
    twilio_number: str = ""
    twilio_sender_secret: str = ""  # hides phone numbers (an HMAC key): 32 random characters
    twilio_api_url: str = ""  # another base URL for the outgoing client (a local stub in tests)
    twilio_webhook_url: str = ""  # the URL Twilio signs, when a proxy stands in front


class ModelSettings(BaseSettings):
    """The model loading endpoint (rasa_server/model_channel.py): on only with
    INTERNAL_TOKEN set; it loads model files from MODELS_DIR only. With
    MODEL_ORIGIN set too, the server follows the console's serving model
    (rasa_server/model_follower.py), downloading it into MODELS_DIR."""

    internal_token: str = ""
    models_dir: Path = Path("models")
    # the console's internal model endpoint (http://console:5002/staff/internal/model); empty: not followed
    model_origin: str = ""
    model_follow_seconds: float = 30  # how often the console is asked which model serves
