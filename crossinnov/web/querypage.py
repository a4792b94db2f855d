"""The query page: an editor, example queries, and answers as tables."""

from __future__ import annotations

from flask import render_template



def query_page():
    return render_template("query.html", query="", rows=None)


def render_answer(query: str, answer):
    from crossinnov.served import parse_answer

    result = parse_answer(answer)
    return render_template("query.html", query=query, result=result)
