"""The built-in demo: the Klungkung 2018 programme from the news report, and a 2026 one in registration.

``tunas.demo.loader.load()`` loads it through the same services an office uses; ``load_demo`` calls it.
"""
