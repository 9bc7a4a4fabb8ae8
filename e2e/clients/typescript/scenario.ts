// The client scenario through openapi-fetch, typed by openapi-typescript from the
// checked-in spec (schema.d.ts is generated next to this file at test time).
// Usage: node dist/scenario.js BASE_URL SECRET_KEY
import createClient from "openapi-fetch";
import WebSocket from "ws";
import type { paths } from "./schema.js";

const usage = (): never => {
  throw new Error("usage: scenario BASE_URL SECRET_KEY");
};
const base: string = process.argv[2] ?? usage();
const secretKey: string = process.argv[3] ?? usage();

const name = "clients_typescript";
let passed = 0;
let failed = 0;

function check(what: string, ok: boolean, detail?: unknown): void {
  if (ok) {
    passed += 1;
    console.log(`${name}: ok ${what}`);
  } else {
    failed += 1;
    console.error(`${name}: FAILED ${what}`, detail === undefined ? "" : JSON.stringify(detail));
  }
}

/** The data of a successful reply; anything else ends the scenario. */
function must<T>(what: string, reply: { data?: T; error?: unknown; response: Response }, status: number): T {
  const ok = reply.response.status === status && reply.data !== undefined;
  check(`${what} (${status})`, ok, { status: reply.response.status, error: reply.error });
  if (!ok || reply.data === undefined) throw new Error(`${what} failed`);
  return reply.data;
}

const server = createClient<paths>({ baseUrl: base, headers: { "x-api-key": secretKey } });
const as = (token: string) => createClient<paths>({ baseUrl: base, headers: { Authorization: `Bearer ${token}` } });

async function person(externalId: string, username: string) {
  const user = must(
    `create user ${username}`,
    await server.POST("/v1/users", { body: { external_id: externalId, username, display_name: username } }),
    201,
  ).data;
  const minted = must(
    `mint a chat token for ${username}`,
    await server.POST("/v1/users/chat-token", { body: { user_id: user.id } }),
    201,
  ).data;
  check(`the chat token is ${username}'s`, minted.user.id === user.id);
  return { id: user.id, client: as(minted.chat_token), token: minted.chat_token };
}

async function main(): Promise<void> {
  const ann = await person("ts-ann", "ann");
  const bob = await person("ts-bob", "bob");

  // Get-or-create: 201 the first time, 200 and the same conversation after.
  const created = must(
    "open a direct conversation",
    await ann.client.POST("/v1/chat/conversations", { body: { user_id: bob.id } }),
    201,
  ).data;
  const again = must(
    "open it again",
    await ann.client.POST("/v1/chat/conversations", { body: { user_id: bob.id } }),
    200,
  ).data;
  check("get-or-create answers the same conversation", again.id === created.id && created.kind === "direct");
  const conversation = { params: { path: { id: created.id } } };

  // Three messages; the second is retried with its client_msg_id and is not duplicated.
  const send = async (body: string, clientMsgId: string, status: number) =>
    must(
      `send "${body}"`,
      await ann.client.POST("/v1/chat/conversations/{id}/messages", {
        ...conversation,
        body: { body, client_msg_id: clientMsgId },
      }),
      status,
    ).data;
  const first = await send("Hello Bob", "ts-1", 201);
  const second = await send("Are you there?", "ts-2", 201);
  const retried = await send("Are you there?", "ts-2", 200);
  const third = await send("Call me", "ts-3", 201);
  check("the retry answers the first message", retried.id === second.id && retried.seq === second.seq);
  check("messages take seqs 1, 2, 3", [first.seq, second.seq, third.seq].join() === "1,2,3");

  // Bob's list shows the conversation with three unread.
  const listed = must("list Bob's conversations", await bob.client.GET("/v1/chat/conversations"), 200);
  const row = listed.data.find((c) => c.id === created.id);
  check("the list has the conversation with 3 unread", row?.unread_count === 3, row);
  check("the list names Ann as the participant", row?.participant?.id === ann.id, row?.participant);
  check("the list shows the last message", row?.last_message?.body === "Call me", row?.last_message);

  // History, newest first, without the retry's duplicate.
  const history = must(
    "read the history",
    await bob.client.GET("/v1/chat/conversations/{id}/messages", {
      params: { path: { id: created.id }, query: { per_page: 50 } },
    }),
    200,
  );
  check(
    "the history is the three messages, newest first",
    history.data.map((m) => m.body).join("|") === "Call me|Are you there?|Hello Bob" && history.pagination.total === 3,
    history.data.map((m) => m.body),
  );

  // Mark read: unread is back to zero.
  const read = await bob.client.POST("/v1/chat/conversations/{id}/read", { ...conversation, body: {} });
  check("mark read (204)", read.response.status === 204, read.error);
  const unread = must("read Bob's unread counts", await bob.client.GET("/v1/chat/conversations/unread"), 200).data;
  check("the unread total is back to zero", unread.total === 0, unread);
  const after = must("list Bob's conversations again", await bob.client.GET("/v1/chat/conversations"), 200);
  check("the list shows 0 unread", after.data.find((c) => c.id === created.id)?.unread_count === 0);

  // A ticket, found in the queue by an agent who signs in with a password.
  const ticket = must(
    "open a ticket",
    await ann.client.POST("/v1/tickets", {
      body: { subject: "My payment is not working", priority: "high", initial_message: "Need help" },
    }),
    201,
  ).data;
  check("the ticket is open with its first message", ticket.status === "open" && ticket.message_count === 1, ticket);
  const password = "agent-password-ts";
  must(
    "create an agent with a password",
    await server.POST("/v1/users", {
      body: { external_id: "ts-agent", email: "agent-ts@example.com", password, role: "staff" },
    }),
    201,
  );
  const tokens = must(
    "sign in as the agent",
    await createClient<paths>({ baseUrl: base }).POST("/v1/auth/login", {
      body: { tenant: "default", email: "agent-ts@example.com", password },
    }),
    200,
  ).data;
  const queue = must(
    "list the ticket queue",
    await as(tokens.access_token).GET("/v1/tickets", { params: { query: { status: "open" } } }),
    200,
  );
  check("the agent finds the ticket in the queue", queue.data.some((t) => t.id === ticket.id), queue.data);

  // Real time: Bob's socket receives Ann's next message.
  const socket = new WebSocket(`${base.replace(/^http/, "ws")}/v1/chat/ws?token=${encodeURIComponent(bob.token)}`);
  const frames: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  socket.on("message", (data) => {
    frames.push(JSON.parse(data.toString()) as Record<string, unknown>);
    waiters.splice(0).forEach((wake) => wake());
  });
  const frameOf = async (type: string): Promise<Record<string, unknown> | undefined> => {
    const deadline = Date.now() + 5000;
    for (;;) {
      const found = frames.find((f) => f["type"] === type);
      if (found || Date.now() > deadline) return found;
      await new Promise<void>((wake) => {
        waiters.push(wake);
        setTimeout(wake, 250);
      });
    }
  };
  await new Promise<void>((opened, refused) => {
    socket.once("open", () => opened());
    socket.once("error", refused);
  });
  socket.send(JSON.stringify({ type: "ping" }));
  check("the socket answers a ping", (await frameOf("pong")) !== undefined);
  const live = await send("Over the socket", "ts-4", 201);
  const event = await frameOf("new_message");
  const message = event?.["message"] as { id?: string; body?: string; conversation_id?: string } | undefined;
  check(
    "Bob's socket receives new_message",
    message?.id === live.id && message.body === "Over the socket" && message.conversation_id === created.id,
    event,
  );
  socket.close();
}

main()
  .catch((error: unknown) => {
    failed += 1;
    console.error(`${name}: FAILED`, error instanceof Error ? error.message : error);
  })
  .finally(() => {
    console.log(`${name}: ${passed} passed, ${failed} failed`);
    process.exitCode = failed === 0 ? 0 : 1;
  });
