"""The one frame format every exchange of the judge uses (autograder.wire): with a sandbox
over pipes, with the fork server over a Unix socket (a request may arrive partly read)."""

import os
import socket
import time

import pytest

from autograder import wire


@pytest.fixture
def pipe():
    r, w = os.pipe()
    yield r, w
    for fd in (r, w):
        try:
            os.close(fd)
        except OSError:
            pass


def test_a_message_crosses_a_pipe(pipe):
    r, w = pipe
    wire.write_frame(w, wire.message("fork", memory_mb=2048, workdir="/tmp/x"))
    assert wire.read_message(r, time.monotonic() + 5) == {"op": "fork", "memory_mb": 2048,
                                                          "workdir": "/tmp/x"}


def test_a_frame_whose_start_was_already_read(pipe):
    r, w = pipe
    data = wire.frame(wire.message("reap", pid=1234))
    os.write(w, data[5:])
    assert wire.read_message(r, start=data[:5]) == {"op": "reap", "pid": 1234}
    os.write(w, data[11:])
    assert wire.read_message(r, start=data[:11]) == {"op": "reap", "pid": 1234}


def test_nothing_by_the_deadline_is_a_timeout(pipe):
    r, w = pipe
    os.write(w, wire.frame(wire.message("ran"))[:6])  # cut short: the rest never comes
    with pytest.raises(TimeoutError):
        wire.read_message(r, time.monotonic() + 0.2)


def test_a_closed_pipe_is_eof(pipe):
    r, w = pipe
    os.close(w)
    with pytest.raises(EOFError):
        wire.read_message(r, time.monotonic() + 5)


def test_too_big_or_without_an_op_is_refused(pipe):
    r, w = pipe
    os.write(w, (10**9).to_bytes(8, "big"))
    with pytest.raises(wire.WireError, match="over the limit"):
        wire.read_frame(r, limit=1000)
    wire.write_frame(w, wire.encode([1, 2]))
    with pytest.raises(wire.WireError, match="without an op"):
        wire.read_message(r)


def test_file_descriptors_travel_with_a_frame_on_a_socket():
    """What the judge sends its fork server: a frame with two descriptors attached."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    r, w = os.pipe()
    try:
        socket.send_fds(ours, [wire.frame(wire.message("fork", memory_mb=1))], [r, w])
        data, fds, _flags, _addr = socket.recv_fds(theirs, 1 << 16, 2)
        assert wire.read_message(theirs.fileno(), start=data) == {"op": "fork", "memory_mb": 1}
        assert len(fds) == 2
        os.write(fds[1], b"x")
        assert os.read(r, 1) == b"x"
        for fd in fds:
            os.close(fd)
    finally:
        ours.close()
        theirs.close()
        os.close(r)
        os.close(w)
