from fengkong.core.audit import record, verify


def test_audit_chain_of_one_event_verifies(db):
    record(None, "test.event", "thing", 1, after={"a": 1})
    assert verify().checked == 1
