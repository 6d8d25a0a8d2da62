"""Metod: how statuses and forecasts are made, with the back-test figures."""

from ui.method import render_method

render_method()
