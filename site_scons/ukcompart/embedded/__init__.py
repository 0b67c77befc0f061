"""Embedded mode: build an app of a real Unikraft tree with compartments.

``scons UK_ROOT=/path/to/unikraft UK_APP=/path/to/app [UK_LIBS=a:b]``
means what ``make -C $UK_ROOT A=$UK_APP L=a:b`` means to Unikraft, with
this repository added as one more external library (its ``Config.uk`` and
``Makefile.uk`` at the top).  The split of work:

- kconfiglib reads the tree's real ``Config.uk`` files, with the
  environment Unikraft's Makefile exports to its Kconfig
  (:mod:`.environment`, :mod:`.menus`);
- Unikraft's own Make compiles every library and prelinks each to one
  object, as it always does (:mod:`.make`);
- from the prelinked objects on, the gate scan, the descriptors and the
  verifier are the ones standalone mode uses; the link adds a generated
  script to the platform's own (:mod:`.link`).

Nothing is written into the Unikraft tree: ``.config``, Make's objects and
the image all live in the build directory (``O=``, default
``<app>/build``).
"""
