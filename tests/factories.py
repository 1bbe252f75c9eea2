"""factory-boy factories with Chinese fake data."""

from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from tadiao.org.models import Leader, Region, Unit, User
from tadiao.projects.models import AnnualPlan, Category, Level, Nature, Project, Stage

factory.Faker._DEFAULT_LOCALE = "zh_CN"


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = "330999"
    name = "青山市"
    level = Region.Level.COUNTY
    path = factory.LazyAttribute(lambda o: f"{o.parent.path if o.parent else '/'}{o.code}/")
    parent = None


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit

    name = factory.Sequence(lambda n: f"第{n}测试镇")
    kind = Unit.Kind.TOWNSHIP
    region = factory.SubFactory(RegionFactory)
    display_order = factory.Sequence(lambda n: n)


class LeaderFactory(DjangoModelFactory):
    class Meta:
        model = Leader

    name = factory.Faker("name")
    title = factory.Sequence(lambda n: f"副市长{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name")
    unit = factory.SubFactory(UnitFactory)
    password = factory.PostGenerationMethodCall("set_password", "tadiao-test-pw")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ProjectFactory(DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"测试项目{n:05d}")
    investor = factory.Faker("company")
    unit = factory.SubFactory(UnitFactory)
    level = Level.COUNTY
    category = Category.INDUSTRY
    nature = Nature.NEW
    total_investment = Decimal("5000.00")
    stage = Stage.RESERVE


class AnnualPlanFactory(DjangoModelFactory):
    class Meta:
        model = AnnualPlan

    project = factory.SubFactory(ProjectFactory)
    year = 2026
    planned_investment = Decimal("1000.00")
