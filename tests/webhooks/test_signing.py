"""Our signatures are Standard Webhooks signatures: the reference library verifies them."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from inkwell.webhooks.sender import Message, headers, new_secret, sign

BODY = json.dumps({"specversion": "1.0", "id": "0192", "data": {"title": "Héllo"}})


def test_a_new_secret_is_whsec_and_24_random_bytes() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 24
    assert new_secret() != secret


def test_the_reference_library_verifies_our_headers() -> None:
    secret = new_secret()
    message = Message("https://example.com/hook", secret, "msg_1", BODY)
    sent = headers(message, datetime.now(UTC))
    assert Webhook(secret).verify(BODY.encode(), sent) == json.loads(BODY)
    assert sent["webhook-id"] == "msg_1"
    assert sent["content-type"] == "application/json"


@pytest.mark.parametrize(
    "tamper",
    [
        lambda h, b: (h, b.replace("0192", "0193")),
        lambda h, b: ({**h, "webhook-id": "msg_2"}, b),
        lambda h, b: ({**h, "webhook-timestamp": str(int(h["webhook-timestamp"]) - 1)}, b),
    ],
)
def test_a_changed_body_id_or_time_does_not_verify(tamper: object) -> None:
    secret = new_secret()
    sent = headers(Message("https://example.com/hook", secret, "msg_1", BODY), datetime.now(UTC))
    changed_headers, changed_body = tamper(sent, BODY)  # type: ignore[operator]
    with pytest.raises(WebhookVerificationError):
        Webhook(secret).verify(changed_body.encode(), changed_headers)


def test_another_secret_does_not_verify() -> None:
    sent = headers(Message("https://x.test", new_secret(), "m", BODY), datetime.now(UTC))
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret()).verify(BODY.encode(), sent)


def test_the_signature_matches_the_specifications_example() -> None:
    # The example of the Standard Webhooks specification.
    secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    signature = sign(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, '{"test": 2432232314}')
    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
