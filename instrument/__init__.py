"""Framework-free domain package of Drafter.

Plain strings and frozen dataclasses in, value objects out.  Nothing in this
package imports Flask, SQLAlchemy, Jinja or :mod:`drafter`; an import-linter
contract in ``setup.cfg`` enforces that.
"""
