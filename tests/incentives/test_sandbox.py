"""The sandbox payout gateway, on loopback, through the marketplace's own client."""

import json
import time

import pytest
from support.payout_sandbox import SECRET, gateway_for, running_sandbox, webhook_receiver

from marketplace.incentives import sandbox as sandbox_module
from marketplace.incentives.gateway import (
    Gateway,
    GatewayRefused,
    GatewayUnavailable,
    WebhookRefused,
    read_webhook,
    sign,
)

NAME = "Siti Rahmawati"


def pay(gateway: Gateway, key: str, amount: int = 600_000, number: str = "1234567890", **more):
    return gateway.create(
        key,
        reference=more.pop("reference", f"ref-{key}"),
        amount=amount,
        channel=more.pop("channel", "bca"),
        account_number=number,
        account_holder_name=more.pop("account_holder_name", NAME),
        description=more.pop("description", "Insentif pasca pelatihan 1"),
    )


@pytest.fixture
def sandbox(tmp_path):
    with running_sandbox(tmp_path / "sandbox.db") as running:
        running.register_account("bca", "1234567890", NAME)
        yield running


@pytest.fixture
def receiver(sandbox):
    with webhook_receiver() as receiving:
        sandbox.webhook_url = receiving.url
        yield receiving


def raw_post(sandbox, path: str, body: bytes, headers: dict) -> tuple[int, dict]:
    """A POST with hand-made headers (for what the client never sends)."""
    import http.client
    import urllib.parse

    where = urllib.parse.urlsplit(sandbox.url)
    connection = http.client.HTTPConnection(where.hostname, where.port, timeout=5)
    try:
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, json.loads(answer.read())
    finally:
        connection.close()


def signed_headers(method: str, path: str, body: bytes, secret: str = SECRET) -> dict:
    timestamp = str(int(time.time()))
    return {
        "Content-Type": "application/json",
        "X-Timestamp": timestamp,
        "X-Signature": sign(secret, timestamp, method, path, body),
    }


def test_create_without_an_idempotency_key_is_refused(sandbox):
    body = json.dumps({"reference": "r1", "amount": 600000}).encode()
    status, answer = raw_post(
        sandbox, "/v1/disbursements", body, signed_headers("POST", "/v1/disbursements", body)
    )
    assert (status, answer["error_code"]) == (400, "IDEMPOTENCY_KEY_REQUIRED")
    assert sandbox.record()["disbursements"] == []


def test_bad_body_and_bad_key_are_refused(sandbox):
    gateway = gateway_for(sandbox)
    with pytest.raises(GatewayRefused) as refused:
        pay(gateway, "k-bad-amount", amount=0)
    assert (refused.value.status, refused.value.code) == (400, "VALIDATION_ERROR")
    with pytest.raises(GatewayRefused) as refused:
        pay(gateway, "k-bad-channel", channel="nosuchbank")
    assert refused.value.code == "VALIDATION_ERROR"
    body = b"{}"
    headers = signed_headers("POST", "/v1/disbursements", body) | {"Idempotency-Key": "a b!"}
    status, answer = raw_post(sandbox, "/v1/disbursements", body, headers)
    assert (status, answer["error_code"]) == (400, "INVALID_IDEMPOTENCY_KEY")
    assert sandbox.record()["disbursements"] == []


def test_a_wrong_signature_is_401(sandbox):
    with pytest.raises(GatewayRefused) as refused:
        pay(Gateway(sandbox.url, "not-the-secret"), "k1")
    assert (refused.value.status, refused.value.code) == (401, "INVALID_SIGNATURE")
    body = b"{}"
    stale = signed_headers("POST", "/sandbox/faults", body)
    stale["X-Timestamp"] = str(int(time.time()) - 3600)
    stale["X-Signature"] = sign(SECRET, stale["X-Timestamp"], "POST", "/sandbox/faults", body)
    assert raw_post(sandbox, "/sandbox/faults", body, stale)[0] == 401
    assert sandbox.record()["disbursements"] == []


def test_accepted_then_paid_once_for_the_same_key_and_body(sandbox, receiver):
    gateway = gateway_for(sandbox)
    first = pay(gateway, "incentive-7-1")
    assert (first.status, first.version, first.amount) == ("PENDING", 1, 600_000)
    again = pay(gateway, "incentive-7-1")
    assert again.id == first.id
    assert sandbox.wait_idle(3)
    later = pay(gateway, "incentive-7-1")
    assert (later.id, later.status, later.version) == (first.id, "SUCCEEDED", 2)
    assert gateway.status("incentive-7-1") == later
    record = sandbox.record()
    assert (record["succeeded_count"], record["succeeded_total"]) == (1, 600_000)
    assert record["disbursements"][0]["attempts"] == 1
    event = receiver.wait_for(1)[0].event()
    assert event.type == "disbursement.succeeded"
    assert event.disbursement == later
    assert len(receiver.deliveries) == 1


def test_the_same_key_with_another_body_is_409(sandbox):
    gateway = gateway_for(sandbox)
    pay(gateway, "k-409")
    with pytest.raises(GatewayRefused) as refused:
        pay(gateway, "k-409", amount=700_000)
    assert (refused.value.status, refused.value.code) == (409, "IDEMPOTENCY_KEY_REUSED")
    assert [one["amount"] for one in sandbox.record()["disbursements"]] == [600_000]


def test_the_webhook_is_signed_and_read_webhook_accepts_it(sandbox, receiver):
    pay(gateway_for(sandbox), "k-hook")
    delivery = receiver.wait_for(1)[0]
    assert delivery.signature.startswith("v1=")
    event = read_webhook(SECRET, delivery.timestamp, delivery.signature, delivery.body)
    assert event.id.startswith("evt_")
    assert event.disbursement.idempotency_key == "k-hook"
    with pytest.raises(WebhookRefused):
        read_webhook("another-secret", delivery.timestamp, delivery.signature, delivery.body)


def test_status_of_an_unknown_key_is_none(sandbox):
    assert gateway_for(sandbox).status("never-sent") is None


def test_account_inquiry(sandbox):
    gateway = gateway_for(sandbox)
    sandbox.register_account("ovo", "081234567890", "Budi Santoso", rejected=True)
    assert gateway.inquire("bca", "1234567890") == NAME
    with pytest.raises(GatewayRefused) as refused:
        gateway.inquire("bca", "999999999")
    assert (refused.value.status, refused.value.code) == (404, "ACCOUNT_NOT_FOUND")
    with pytest.raises(GatewayRefused) as refused:
        gateway.inquire("ovo", "081234567890")
    assert (refused.value.status, refused.value.code) == (422, "ACCOUNT_REJECTED")


def test_a_rejected_account_fails_with_a_reason(sandbox, receiver):
    sandbox.register_account("dana", "081299990000", NAME, rejected=True)
    pay(gateway_for(sandbox), "k-rejected", channel="dana", number="081299990000")
    event = receiver.wait_for(1)[0].event()
    assert event.type == "disbursement.failed"
    assert event.disbursement.failure_code == "ACCOUNT_REJECTED"
    assert "closed or blocked" in event.disbursement.failure_message
    assert sandbox.record()["succeeded_count"] == 0


def test_fail_rate_answers_503_and_stores_nothing(sandbox):
    sandbox.set_faults(fail_rate=1.0)
    gateway = gateway_for(sandbox)
    with pytest.raises(GatewayUnavailable):
        pay(gateway, "k-down")
    with pytest.raises(GatewayUnavailable):
        gateway.status("k-down")
    sandbox.set_faults(fail_rate=0.0)
    assert gateway.status("k-down") is None
    assert sandbox.record()["disbursements"] == []


def test_a_timed_out_create_is_stored_and_a_retry_pays_once(sandbox):
    sandbox.set_faults(timeout_rate=1.0, timeout_sleep=1.0)
    with pytest.raises(GatewayUnavailable):
        pay(gateway_for(sandbox, timeout=0.3), "k-timeout")
    sandbox.set_faults(timeout_rate=0.0)
    gateway = gateway_for(sandbox)
    stored = gateway.status("k-timeout")
    assert stored is not None
    retried = pay(gateway, "k-timeout")
    assert retried.id == stored.id
    assert sandbox.wait_idle(3)
    record = sandbox.record()
    assert (record["succeeded_count"], record["succeeded_total"]) == (1, 600_000)
    assert record["disbursements"][0]["times_paid"] == 1


def test_duplicate_rate_delivers_each_event_twice(sandbox, receiver):
    sandbox.set_faults(duplicate_rate=1.0)
    pay(gateway_for(sandbox), "k-dup")
    first, second = receiver.wait_for(2)
    assert first.event().id == second.event().id
    assert first.body == second.body
    assert sandbox.wait_idle(3)
    assert len(receiver.deliveries) == 2


def test_a_refused_webhook_is_delivered_again(sandbox):
    with webhook_receiver(answers=[500, 503]) as receiver:
        sandbox.webhook_url = receiver.url
        pay(gateway_for(sandbox), "k-retry-hook")
        deliveries = receiver.wait_for(3)
        assert [one.status for one in deliveries] == [500, 503, 200]
        assert len({one.event().id for one in deliveries}) == 1
        assert sandbox.wait_idle(3)


def test_reorder_holds_and_still_delivers_everything(sandbox, receiver):
    sandbox.set_faults(reorder=0.3)
    gateway = gateway_for(sandbox)
    for number in range(4):
        pay(gateway, f"k-order-{number}")
    time.sleep(0.15)
    assert receiver.deliveries == []  # held
    deliveries = receiver.wait_for(4)
    keys = [one.event().disbursement.idempotency_key for one in deliveries]
    assert sorted(keys) == [f"k-order-{number}" for number in range(4)]


def test_reverse_sends_an_event_and_lowers_the_net_total(sandbox, receiver):
    gateway = gateway_for(sandbox)
    pay(gateway, "k-reverse")
    assert sandbox.wait_idle(3)
    assert sandbox.record()["net_total"] == 600_000
    reversed_one = sandbox.reverse("k-reverse")
    assert (reversed_one["status"], reversed_one["version"]) == ("REVERSED", 3)
    events = [one.event() for one in receiver.wait_for(2)]
    assert [event.type for event in events] == ["disbursement.succeeded", "disbursement.reversed"]
    assert events[1].disbursement.version == 3
    record = sandbox.record()
    assert (record["succeeded_total"], record["reversed_total"], record["net_total"]) == (
        600_000,
        600_000,
        0,
    )
    with pytest.raises(ValueError):
        sandbox.reverse("k-reverse")


def test_a_failed_key_is_tried_again_under_the_same_id(sandbox, receiver):
    sandbox.set_faults(final_fail_rate=1.0)
    gateway = gateway_for(sandbox)
    first = pay(gateway, "k-again")
    assert sandbox.wait_idle(3)
    failed = gateway.status("k-again")
    assert (failed.status, failed.version, failed.failure_code) == ("FAILED", 2, "BANK_UNAVAILABLE")
    assert sandbox.record()["succeeded_count"] == 0
    sandbox.set_faults(final_fail_rate=0.0)
    retried = pay(gateway, "k-again")
    assert (retried.id, retried.status, retried.version) == (first.id, "PENDING", 3)
    assert retried.failure_code is None
    assert sandbox.wait_idle(3)
    assert pay(gateway, "k-again").version == 4  # succeeded: the same key answers, pays not
    assert sandbox.wait_idle(3)
    record = sandbox.record()
    assert record["succeeded_count"] == 1
    assert record["disbursements"][0]["attempts"] == 2
    types = [one.event().type for one in receiver.wait_for(2)]
    assert types == ["disbursement.failed", "disbursement.succeeded"]


def test_a_name_that_differs_from_the_banks_fails(sandbox):
    pay(gateway_for(sandbox), "k-name", account_holder_name="Siti Rahma")
    assert sandbox.wait_idle(3)
    assert sandbox.disbursement("k-name")["failure_code"] == "NAME_MISMATCH"
    pay(gateway_for(sandbox), "k-name-ok", account_holder_name="SITI  RAHMAWATI")
    assert sandbox.wait_idle(3)
    assert sandbox.disbursement("k-name-ok")["status"] == "SUCCEEDED"


def test_control_endpoints_over_http(sandbox):
    call = sandbox_module.call
    assert call(sandbox.url, SECRET, "POST", "/sandbox/accounts", {"channel": "gopay"})[0] == 400
    status, _ = call(
        sandbox.url,
        SECRET,
        "POST",
        "/sandbox/accounts",
        {"channel": "gopay", "account_number": "0811111111", "holder_name": "Ani"},
    )
    assert status == 201
    assert gateway_for(sandbox).inquire("gopay", "0811111111") == "Ani"
    status, faults = call(sandbox.url, SECRET, "POST", "/sandbox/faults", {"slow": 0.01})
    assert (status, faults["slow"]) == (200, 0.01)
    assert call(sandbox.url, SECRET, "POST", "/sandbox/faults", {"nonsense": 1})[0] == 400
    pay(gateway_for(sandbox), "k-http")
    assert call(sandbox.url, SECRET, "POST", "/sandbox/idle?timeout=3") == (200, {"idle": True})
    status, reversed_one = call(
        sandbox.url, SECRET, "POST", "/sandbox/disbursements/k-http/reverse"
    )
    assert (status, reversed_one["status"]) == (200, "REVERSED")
    status, record = call(sandbox.url, SECRET, "GET", "/sandbox/record")
    assert (status, record["net_total"]) == (200, 0)
    assert call(sandbox.url, "wrong", "GET", "/sandbox/record")[0] == 401


def test_a_restart_keeps_the_record(tmp_path):
    with running_sandbox(tmp_path / "kept.db") as first:
        first.register_account("bca", "1234567890", NAME)
        paid = pay(gateway_for(first), "k-kept")
        assert first.wait_idle(3)
    with running_sandbox(tmp_path / "kept.db") as second:
        gateway = gateway_for(second)
        assert gateway.inquire("bca", "1234567890") == NAME
        assert pay(gateway, "k-kept").id == paid.id
        assert second.wait_idle(3)
        record = second.record()
        assert (record["succeeded_count"], record["net_total"]) == (1, 600_000)


def test_a_pending_disbursement_settles_after_a_restart(tmp_path):
    with running_sandbox(tmp_path / "kept.db", settle_after=0.4) as first:
        first.register_account("bca", "1234567890", NAME)
        pay(gateway_for(first), "k-pending")
    with running_sandbox(tmp_path / "kept.db") as second:
        assert second.disbursement("k-pending")["status"] == "PENDING"
        assert second.wait_idle(3)
        assert second.disbursement("k-pending")["status"] == "SUCCEEDED"


def test_load_accounts_from_csv(tmp_path, sandbox):
    accounts = tmp_path / "accounts.csv"
    accounts.write_text(
        "channel,account_number,holder_name,rejected\n"
        "bni,5550001111,Dewi Lestari,\n"
        "ovo,081377778888,Agus Salim,yes\n"
    )
    assert sandbox.load_accounts(accounts) == 2
    gateway = gateway_for(sandbox)
    assert gateway.inquire("bni", "5550001111") == "Dewi Lestari"
    with pytest.raises(GatewayRefused) as refused:
        gateway.inquire("ovo", "081377778888")
    assert refused.value.code == "ACCOUNT_REJECTED"


def test_given_up_events_are_delivered_again_on_demand(sandbox):
    with webhook_receiver(answers=[500] * 4) as receiver:
        sandbox.webhook_url = receiver.url
        pay(gateway_for(sandbox), "k-given-up")
        receiver.wait_for(4)
        assert sandbox.wait_idle(3)
        assert [event["state"] for event in sandbox.events()] == ["failed"]
        assert sandbox.redeliver() == 1
        assert receiver.wait_for(5)[-1].status == 200
        assert sandbox.wait_idle(3)
        assert [event["state"] for event in sandbox.events()] == ["delivered"]
