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
# that follows a fixed script** (search → ask Pegasus about the best moment → answer). Its answers
# start with `[scripted test model, not an LLM]`.

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
# ## 1. Index three short clips
# The ingest tool indexes a file or URL and returns its `video_id` (or, after its wait limit, the
# task id and status; calling it again with the same source keeps waiting and never uploads twice).

# %%
from langchain_twelvelabs.tools import TwelveLabsIngestTool

scratch = tempfile.TemporaryDirectory(prefix="tlrag-nb05-")  # removed in the last cell
work = Path(scratch.name)
index = client.indexes.create(
    index_name=f"nb05-agent-{os.getpid()}",
    models=[
        {"model_name": "marengo3.0", "model_options": ["visual", "audio"]},
        {"model_name": "pegasus1.2", "model_options": ["visual", "audio"]},
    ],
)
ingest = TwelveLabsIngestTool(index_id=index.id, client=client, async_client=aclient)
for name, script in DEMO_SCRIPTS.items():
    print(ingest.invoke({"source": str(make_clip(work / name, script))}))

# %% [markdown]
# ## 2. The tools, and what a model sees
# `TwelveLabsToolkit` builds every tool from one client. Each has a pydantic argument schema with
# descriptions the model reads. The search tool returns cited moments as text **and** the
# structured hits as the tool message's artifact.

# %%
from langchain_twelvelabs.tools import TwelveLabsToolkit

tools = TwelveLabsToolkit(index_id=index.id, client=client, async_client=aclient).get_tools()
for tool in tools:
    print(f"{tool.name}({', '.join(tool.args)})")
message = tools[0].invoke({"type": "tool_call", "id": "demo", "name": tools[0].name,
                           "args": {"query": "an eagle over a frozen lake", "k": 2}})
print(message.content)
print("artifact:", {k: message.artifact[0][k] for k in ("video_id", "start", "end", "citation")})

# %% [markdown]
# ## 3. The agent loop (LangChain)
# The loop every tool-calling agent runs: call the model; run the tool calls it makes; give it the
# results; repeat until it answers. (`langchain.agents.create_agent` runs the same loop on
# LangGraph when `langchain` 1.x is installed.)

# %%
from langchain_core.messages import HumanMessage, ToolMessage

from langchain_twelvelabs.testing import ScriptedToolCallingChatModel

if os.environ.get("OPENAI_API_KEY") and importlib.util.find_spec("langchain_openai"):
    from langchain_openai import ChatOpenAI

    model = ChatOpenAI(model=os.environ.get("OPENAI_MODEL", "gpt-4o-mini"), temperature=0)
    MODEL = f"real model: OpenAI {model.model_name}"
else:
    model = ScriptedToolCallingChatModel()
    MODEL = "scripted test model (no OPENAI_API_KEY + langchain-openai): not an LLM, it follows a fixed script"
print("Agent model:", MODEL)


def run_agent(model, tools, question, max_steps=8):
    by_name = {t.name: t for t in tools}
    bound = model.bind_tools(tools)
    messages = [HumanMessage(question)]
    for _ in range(max_steps):
        reply = bound.invoke(messages)
        messages.append(reply)
        if not reply.tool_calls:
            break
        messages.extend(by_name[call["name"]].invoke(call) for call in reply.tool_calls)
    return messages


transcript = run_agent(model, tools, "When does the eagle fly over the frozen lake?")
for m in transcript[1:]:
    if isinstance(m, ToolMessage):
        print(f"  <- {m.name}: {m.content[:110]}...")
    elif m.tool_calls:
        print("  ->", ", ".join(f"{c['name']}({c['args']})" for c in m.tool_calls))
print("Answer:", transcript[-1].text)

# %% [markdown]
# Errors come back to the model as tool messages (here: `k=0`), saying what to fix, never as tracebacks:

# %%
print(tools[0].invoke({"type": "tool_call", "id": "bad", "name": tools[0].name, "args": {"k": 0}}))

# %% [markdown]
# ## 4. The same agent in LlamaIndex
# `TwelveLabsToolSpec` gives the same tools to a LlamaIndex `FunctionAgent` (async tools over
# `AsyncTwelveLabs`). It is driven here by `ScriptedFunctionCallingLLM`, the LlamaIndex twin of the
# scripted test double.

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
