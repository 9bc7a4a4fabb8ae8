"""The client scenario through the client openapi-python-client generates from the
checked-in spec (the confab_client package, generated and installed at test time).

Usage: python scenario.py BASE_URL SECRET_KEY
"""

import json
import sys
import time

from confab_client import AuthenticatedClient, Client
from confab_client.api.auth import auth_login
from confab_client.api.conversations import (
    conversations_create,
    conversations_list,
    conversations_messages_list,
    conversations_messages_send,
    conversations_read,
    conversations_unread,
)
from confab_client.api.tickets import tickets_create, tickets_list
from confab_client.api.users import users_chat_token, users_upsert
from confab_client.models import (
    ChatTokenRequest,
    CreateConversationRequest,
    CreateTicketRequest,
    ErrorBody,
    LoginRequest,
    ReadRequest,
    RoleDto,
    SendMessageRequest,
    TicketPriorityDto,
    TicketStatusDto,
    UpsertUserRequest,
)
from confab_client.types import Response
from websockets.sync.client import connect

NAME = "clients_python"
passed = 0
failed = 0


class Stop(Exception):
    """A step whose reply the rest of the scenario needs went wrong."""


def check(what, ok, detail=None):
    global passed, failed
    if ok:
        passed += 1
        print(f"{NAME}: ok {what}")
    else:
        failed += 1
        print(f"{NAME}: FAILED {what}", "" if detail is None else detail, file=sys.stderr)


def must(what, reply: Response, status):
    """The parsed reply of a call that must answer `status`; anything else ends the scenario."""
    ok = reply.status_code == status and reply.parsed is not None and not isinstance(reply.parsed, ErrorBody)
    check(f"{what} ({status})", ok, {"status": int(reply.status_code), "body": reply.content[:300]})
    if not ok:
        raise Stop(what)
    return reply.parsed


def scenario(base, secret_key):
    server = AuthenticatedClient(base_url=base, token=secret_key, prefix="", auth_header_name="x-api-key")

    def person(external_id, username):
        body = UpsertUserRequest(external_id=external_id, username=username, display_name=username)
        user = must(f"create user {username}", users_upsert.sync_detailed(client=server, body=body), 201).data
        minted = must(
            f"mint a chat token for {username}",
            users_chat_token.sync_detailed(client=server, body=ChatTokenRequest(user_id=user.id)),
            201,
        ).data
        check(f"the chat token is {username}'s", minted.user.id == user.id)
        return user.id, minted.chat_token, AuthenticatedClient(base_url=base, token=minted.chat_token)

    ann_id, _, ann = person("py-ann", "ann")
    bob_id, bob_token, bob = person("py-bob", "bob")

    # Get-or-create: 201 the first time, 200 and the same conversation after.
    opening = CreateConversationRequest(user_id=bob_id)
    created = must(
        "open a direct conversation", conversations_create.sync_detailed(client=ann, body=opening), 201
    ).data
    again = must("open it again", conversations_create.sync_detailed(client=ann, body=opening), 200).data
    check("get-or-create answers the same conversation", again.id == created.id and created.kind == "direct")

    # Three messages; the second is retried with its client_msg_id and is not duplicated.
    def send(body, client_msg_id, status):
        request = SendMessageRequest(body=body, client_msg_id=client_msg_id)
        reply = conversations_messages_send.sync_detailed(created.id, client=ann, body=request)
        return must(f'send "{body}"', reply, status).data

    first = send("Hello Bob", "py-1", 201)
    second = send("Are you there?", "py-2", 201)
    retried = send("Are you there?", "py-2", 200)
    third = send("Call me", "py-3", 201)
    check("the retry answers the first message", (retried.id, retried.seq) == (second.id, second.seq))
    check("messages take seqs 1, 2, 3", [first.seq, second.seq, third.seq] == [1, 2, 3])

    # Bob's list shows the conversation with three unread.
    listed = must("list Bob's conversations", conversations_list.sync_detailed(client=bob), 200)
    row = next((c for c in listed.data if c.id == created.id), None)
    check("the list has the conversation with 3 unread", row is not None and row.unread_count == 3, row)
    check("the list names Ann as the participant", row is not None and row.participant.id == ann_id)
    check("the list shows the last message", row is not None and row.last_message.body == "Call me")
    check("the list says it is no shop thread or ticket", row is not None and (row.shop, row.ticket) == (None, None))

    # History, newest first, without the retry's duplicate.
    history = must(
        "read the history",
        conversations_messages_list.sync_detailed(created.id, client=bob, per_page=50),
        200,
    )
    bodies = [m.body for m in history.data]
    check(
        "the history is the three messages, newest first",
        bodies == ["Call me", "Are you there?", "Hello Bob"] and history.pagination.total == 3,
        bodies,
    )

    # Mark read: unread is back to zero.
    read = conversations_read.sync_detailed(created.id, client=bob, body=ReadRequest())
    check("mark read (204)", read.status_code == 204, read.content)
    unread = must("read Bob's unread counts", conversations_unread.sync_detailed(client=bob), 200).data
    check("the unread total is back to zero", unread.total == 0, unread)
    after = must("list Bob's conversations again", conversations_list.sync_detailed(client=bob), 200)
    check("the list shows 0 unread", [c.unread_count for c in after.data if c.id == created.id] == [0])

    # A ticket, found in the queue by an agent who signs in with a password.
    opened = CreateTicketRequest(
        subject="My payment is not working", priority=TicketPriorityDto.HIGH, initial_message="Need help"
    )
    ticket = must("open a ticket", tickets_create.sync_detailed(client=ann, body=opened), 201).data
    check(
        "the ticket is open with its first message",
        ticket.status == TicketStatusDto.OPEN and ticket.message_count == 1,
        ticket,
    )
    password = "agent-password-py"
    agent = UpsertUserRequest(
        external_id="py-agent", email="agent-py@example.com", password=password, role=RoleDto.STAFF
    )
    must("create an agent with a password", users_upsert.sync_detailed(client=server, body=agent), 201)
    login = LoginRequest(tenant="default", email="agent-py@example.com", password=password)
    tokens = must("sign in as the agent", auth_login.sync_detailed(client=Client(base_url=base), body=login), 200).data
    queue = must(
        "list the ticket queue",
        tickets_list.sync_detailed(client=AuthenticatedClient(base_url=base, token=tokens.access_token),
                                   status=TicketStatusDto.OPEN),
        200,
    )
    check("the agent finds the ticket in the queue", any(t.id == ticket.id for t in queue.data))

    # Real time: Bob's socket receives Ann's next message.
    with connect(f"{base.replace('http', 'ws', 1)}/v1/chat/ws?token={bob_token}", open_timeout=5) as socket:

        def frame_of(kind):
            deadline = time.monotonic() + 5
            while time.monotonic() < deadline:
                frame = json.loads(socket.recv(timeout=max(0.0, deadline - time.monotonic())))
                if frame.get("type") == kind:
                    return frame
            return None

        socket.send(json.dumps({"type": "ping"}))
        check("the socket answers a ping", frame_of("pong") is not None)
        live = send("Over the socket", "py-4", 201)
        event = frame_of("new_message") or {}
        message = event.get("message") or {}
        check(
            "Bob's socket receives new_message",
            (message.get("id"), message.get("body"), message.get("conversation_id"))
            == (live.id, "Over the socket", created.id),
            event,
        )


def main():
    global failed
    if len(sys.argv) != 3:
        sys.exit("usage: scenario.py BASE_URL SECRET_KEY")
    try:
        scenario(sys.argv[1], sys.argv[2])
    except Stop:
        pass
    except Exception as error:  # noqa: BLE001 - any failure is reported as one
        failed += 1
        print(f"{NAME}: FAILED {type(error).__name__}: {error}", file=sys.stderr)
    print(f"{NAME}: {passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


if __name__ == "__main__":
    main()
