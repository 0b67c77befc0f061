"""ukcompart: split a Unikraft image into compartments isolated by MPK.

The package is loaded by SCons from ``site_scons/`` (SCons puts that folder
on ``sys.path``), and parts of it (the verifier) run without SCons.  Modules
are named after what they model:

``errors``        the exception types, one per kind of user error
``makefile_uk``   the subset of Unikraft's ``Makefile.uk`` read standalone
``library``       library discovery under ``lib/``, ``plat/`` and the app
``kconfig``       kconfiglib set-up, generated menus, ``.config`` handling
``model``         compartments and library placement read from ``.config``
``gates``         cross-compartment references found in prelinked objects
``linkerscript``  the generated linker script and descriptor table
``symtab``        the symbol table the image uses to name faulting addresses
``qemu``          booting an image and reading its exit status
``verify``        checks of the final ELF against the configuration
"""
