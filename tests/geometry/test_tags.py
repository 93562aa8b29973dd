"""Tag ids are unique, grouped, and the interface names match the case schema."""

from nanoglue.config import Interfaces
from nanoglue.geometry import tags


def test_ids_are_unique_and_complete():
    assert len(set(tags.TAG_NAMES.values())) == len(tags.TAG_NAMES) == 14
    assert tags.TAG_NAMES == {**tags.REGIONS, **tags.INTERFACES, **tags.BOUNDARIES}
    assert (tags.PARTICLE, tags.SUBSTRATE, tags.COATING) == (1, 2, 3)
    assert (tags.PARTICLE_SUBSTRATE, tags.PARTICLE_COATING, tags.COATING_SUBSTRATE) == (11, 12, 13)
    assert (tags.AXIS, tags.SUBSTRATE_BOTTOM, tags.PARTICLE_SURFACE, tags.COATING_SURFACE,
            tags.SUBSTRATE_FREE) == (21, 22, 23, 24, 25)
    assert (tags.SYMMETRY_X, tags.SYMMETRY_Y, tags.FIBER_ENDS) == (31, 32, 33)


def test_interfaces_join_two_regions_and_match_the_schema():
    assert set(tags.INTERFACES) <= set(Interfaces.model_fields)
    assert tags.INTERFACE_REGIONS == {
        tags.PARTICLE_SUBSTRATE: (tags.PARTICLE, tags.SUBSTRATE),
        tags.PARTICLE_COATING: (tags.PARTICLE, tags.COATING),
        tags.COATING_SUBSTRATE: (tags.COATING, tags.SUBSTRATE),
    }
