"""Property pair constraint components: ``sh:equals``, ``sh:disjoint``, ``sh:lessThan``,
``sh:lessThanOrEquals`` (https://www.w3.org/TR/shacl/#core-components-property-pairs).

Not compiled yet: a shape that uses one is declined (:data:`DECLINED`), so that
``engine="auto"`` hands the shapes to pySHACL and ``engine="fast"`` refuses them.
"""

from __future__ import annotations

from rdflib.namespace import SH

#: The parameters of this family, which the fast engine declines.
DECLINED = (SH.equals, SH.disjoint, SH.lessThan, SH.lessThanOrEquals)
