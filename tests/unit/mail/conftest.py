import pytest

from tests.unit.mail.sink import SmtpSink


@pytest.fixture
def smtp():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()
