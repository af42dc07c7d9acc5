"""The engine's shape: nothing that hangs on the order ``models/__init__.py``
imports its files in.

When two classes of this addon define the same method on one model, the one
imported last wins and the other runs only if it is reached through
``super()``: swap two imports and a different method runs first, or not at
all. So each method this addon adds to a model is written by one class of the
addon; a method of Odoo (``unlink``, ``write``, ``_post``...) may be
overridden by several, each calling ``super()``, so every override runs
whatever the order.
"""

import inspect

from odoo.tests import TransactionCase, tagged

ADDON = "odoo.addons.account_xero."


def addon_classes(model_class, model):
    """The classes of this addon that define ``model`` (not its mixins')."""
    return [cls for cls in model_class.__mro__
            if cls.__module__.startswith(ADDON) and getattr(cls, "_name", None) == model
            and "_register" not in vars(cls)]


def where(cls):
    return cls.__module__[len(ADDON):]


@tagged("post_install", "-at_install")
class TestEngineShape(TransactionCase):

    def definitions(self):
        """{(model, method): [(class, function)]} of this addon's definitions,
        and the names each model has from outside the addon."""
        found, outside = {}, {}
        for model in sorted(self.env.registry):
            model_class = self.env.registry[model]
            outside[model] = {
                name for cls in model_class.__mro__
                if not cls.__module__.startswith(ADDON) and cls is not object
                for name, value in vars(cls).items() if inspect.isfunction(value)}
            for cls in addon_classes(model_class, model):
                for name, value in vars(cls).items():
                    if inspect.isfunction(value):
                        found.setdefault((model, name), []).append((cls, value))
        return found, outside

    def test_each_addon_method_is_defined_once_per_model(self):
        """A method this addon adds to a model has one definition: two
        would leave which one runs to the import order."""
        found, outside = self.definitions()
        repeated = [
            f"{model}.{name}: {', '.join(where(cls) for cls, _f in defs)}"
            for (model, name), defs in sorted(found.items())
            if len(defs) > 1 and name not in outside[model]]
        self.assertFalse(repeated, "defined more than once:\n" + "\n".join(repeated))

    def test_overrides_of_odoo_methods_call_super(self):
        """Of two overrides of an Odoo method on one model, one that does
        not call ``super()`` would hide the other when imported after it."""
        found, outside = self.definitions()
        silent = [
            f"{model}.{name} in {where(cls)}"
            for (model, name), defs in sorted(found.items())
            if name in outside[model] and len(defs) > 1
            for cls, function in defs
            if "super" not in inspect.unwrap(function).__code__.co_names]
        self.assertFalse(silent, "overrides not calling super():\n" + "\n".join(silent))
