# %% [markdown]
# # 05 · A video agent: TwelveLabs as tools
#
# A tool-calling model decides when to **search** the videos, what to **ask Pegasus** about a
# moment, and when to **answer** — with the moment's timestamp. The tools come from
# `langchain_twelvelabs.tools` (LangChain) and `llama_index.tools.twelvelabs` (LlamaIndex).
#
# What this notebook reads from the environment (all optional):
#
# | variable | effect |
# |---|---|
# | `TWELVELABS_API_KEY` | run the tools on the real TwelveLabs API (else: the in-process emulator, no network) |
# | `OPENAI_API_KEY` (with `pip install langchain-openai`) | the LangChain agent uses a real OpenAI chat model |
# | `OPENAI_MODEL` | which OpenAI model (default `gpt-4o-mini`) |
#
# Without an OpenAI key the agent is driven by `ScriptedToolCallingChatModel`, a **test double
# that follows a fixed script** (index the videos → search → ask Pegasus about the best moment →
# answer). Its answers start with `[scripted test model, not an LLM]`.
#
# The tools follow the index: this notebook uses a **current** index (Marengo 3.0), so a video is
# uploaded as an *asset* and then indexed (an *indexed asset*); search hits name their `asset_id`,
# and Pegasus is asked about the asset with the moment's window (`start_time`/`end_time`). On a
# classic index (Marengo 2.7 + Pegasus 1.2, or `api_shape="classic"`) the same tools use `/tasks`
# and `video_id`.

# %%
import importlib.util
import os
import tempfile
from pathlib import Path

from twelvelabs_rag import AsyncTwelveLabs, TwelveLabs
from twelvelabs_rag.testing.samples import DEMO_SCRIPTS, make_clip

if os.environ.get("TWELVELABS_API_KEY"):
    client, aclient, POLL = TwelveLabs(), AsyncTwelveLabs(), None
    MODE = "real API"
else:
    from twelvelabs_rag.testing import FakeTwelveLabs

    fake = FakeTwelveLabs(seed=0)
    client, aclient, POLL = fake.client(poll_interval=0), fake.async_client(poll_interval=0), 0.0
    MODE = "emulator"
print("TwelveLabs backend:", MODE)

# %% [markdown]
# ## 1. An index, three short clips, and the ingest tool
# The ingest tool indexes a file or URL and returns its `asset_id` and `video_id` (the indexed
# asset). After its wait limit it returns the ids so far with "still being indexed"; calling it
# again with the same source keeps waiting and never uploads twice. Here it indexes one clip; the
# agent below is asked to index all three.

# %%
from langchain_twelvelabs.tools import TwelveLabsIngestTool
from twelvelabs_rag.flow import CURRENT

scratch = tempfile.TemporaryDirectory(prefix="tlrag-nb05-")  # removed in the last cell
work = Path(scratch.name)
clips = [str(make_clip(work / name, script)) for name, script in DEMO_SCRIPTS.items()]
index = client.indexes.create(index_name=f"nb05-agent-{os.getpid()}", models=CURRENT.index_models)
print("index models:", [m["model_name"] for m in CURRENT.index_models])
ingest = TwelveLabsIngestTool(index_id=index.id, client=client, async_client=aclient)
print(ingest.invoke({"source": clips[-1]}))

# %% [markdown]
# ## 2. The tools, and what a model sees
# `TwelveLabsToolkit` builds every tool from one client. Each has a pydantic argument schema with
# descriptions the model reads. The search tool returns cited moments as text **and** the
# structured hits as the tool message's artifact; on this index each hit names its `asset_id`.

# %%
from langchain_twelvelabs.tools import TwelveLabsToolkit

tools = TwelveLabsToolkit(index_id=index.id, client=client, async_client=aclient).get_tools()
for tool in tools:
    print(f"{tool.name}({', '.join(tool.args)})")
message = tools[0].invoke({"type": "tool_call", "id": "demo", "name": tools[0].name,
                           "args": {"query": "someone chops onions", "k": 2}})
print(message.content)
print("artifact:", {k: message.artifact[0][k] for k in ("video_id", "asset_id", "start", "end", "citation")})

# %% [markdown]
# ## 3. The agent loop (LangChain)
# The loop every tool-calling agent runs: call the model; run the tool calls it makes; give it the
# results; repeat until it answers. (`langchain.agents.create_agent` runs the same loop on
# LangGraph when `langchain` 1.x is installed.) The system message asks the agent to index the three
# clips first: the one indexed above is found, not uploaded again.

# %%
from langchain_core.messages import HumanMessage, SystemMessage, ToolMessage

from langchain_twelvelabs.testing import ScriptedToolCallingChatModel
from twelvelabs_rag.testing.scripted_agent import ScriptedVideoAgent

if os.environ.get("OPENAI_API_KEY") and importlib.util.find_spec("langchain_openai"):
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(model=os.environ.get("OPENAI_MODEL", "gpt-4o-mini"), temperature=0)
    MODEL = f"real model: OpenAI {model.model_name}"
else:
    model = ScriptedToolCallingChatModel(agent=ScriptedVideoAgent(ingest=clips), max_turns=12)
    MODEL = "scripted test model (no OPENAI_API_KEY + langchain-openai): not an LLM, it follows a fixed script"
print("Agent model:", MODEL)
SYSTEM = "Before answering, make sure these videos are indexed (use the ingest tool): " + ", ".join(clips)


def run_agent(model, tools, question, max_steps=12):
    by_name = {t.name: t for t in tools}
    bound = model.bind_tools(tools)
    messages = [SystemMessage(SYSTEM), HumanMessage(question)]
    for _ in range(max_steps):
        reply = bound.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            break
        messages.extend(by_name[call["name"]].invoke(call) for call in reply.tool_calls)
    return messages


sent_before = len(fake.requests) if MODE == "emulator" else 0
transcript = run_agent(model, tools, "When does the eagle fly over the frozen lake?")
for m in transcript[2:]:
    if isinstance(m, ToolMessage):
        print(f"  <- {m.name}: {m.content.replace(str(work) + os.sep, '')[:110]}...")  # paths shortened
    elif m.tool_calls:
        print("  ->", ", ".join(f"{c['name']}({c['args']})" for c in m.tool_calls))
print("Answer:", transcript[-1].text)

# %% [markdown]
# What the tools sent to the API during that run (the emulator's request log): an asset upload and
# an indexed asset per new clip, one search, and one analyze call on the asset with the window.

# %%
if MODE == "emulator":
    from collections import Counter

    sent = fake.requests[sent_before:]
    print(dict(Counter(r.route for r in sent if r.method == "POST")))
    [analyze_body] = [r.json for r in sent if r.route == "POST /analyze"]
    print("analyze:", {k: analyze_body[k] for k in ("video", "start_time", "end_time", "model_name")})

# %% [markdown]
# Errors come back to the model as tool messages (here: `k=0`), saying what to fix, never as tracebacks:

# %%
print(tools[0].invoke({"type": "tool_call", "id": "bad", "name": tools[0].name, "args": {"k": 0}}))

# %% [markdown]
# ## 4. The same agent in LlamaIndex
# `TwelveLabsToolSpec` gives the same tools to a LlamaIndex `FunctionAgent` (async tools over
# `AsyncTwelveLabs`). It is driven here by `ScriptedFunctionCallingLLM`, the LlamaIndex twin of the
# scripted test double; the videos are indexed already, so it searches and asks Pegasus by asset.

# %%
from llama_index.core.agent.workflow import FunctionAgent
from llama_index.tools.twelvelabs import TwelveLabsToolSpec
from llama_index.tools.twelvelabs.testing import ScriptedFunctionCallingLLM

spec = TwelveLabsToolSpec(index.id, client=client, async_client=aclient)
agent = FunctionAgent(tools=spec.to_tool_list(), llm=ScriptedFunctionCallingLLM())
response = await agent.run(user_msg="Where does someone chop onions?")
print("Agent model: scripted test model (not an LLM)")
print("Answer:", response)

# %%
scratch.cleanup()  # the clips written above
