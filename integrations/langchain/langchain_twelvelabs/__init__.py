"""LangChain integration for TwelveLabs."""

__all__: list[str] = []
