from quarterhour.platform.geography.models import Community


def test_world_builds(world):
    assert Community.objects.count() == 4
    assert world.a1x.street.district.code == "110102000000"
