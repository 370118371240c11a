//! Reading reference data for pages and the API: the commissioner's dashboard, organisations
//! and areas. Every function checks the access policy first.

use commissioning::access::{Action, Principal};
use commissioning::area::{Area, AreaCode, AreaKind, Deprivation};
use commissioning::org::{OdsCode, OrgKind, Organisation};
use commissioning::population::{AgeBand, Sex};
use commissioning::service::Service;
use store::StoreError;
use store::area::{AreaSummary, DecileRow, PopulationRow};
use store::audit::AuditEntry;
use store::org::{ActivitySummaryRow, OrgFilter, PracticeList};

use crate::{Actor, App, AppError, Result, authorize, now_millis};

/// Persons in one age band, by sex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgeBandCount {
    pub band: AgeBand,
    pub male: i64,
    pub female: i64,
}

/// A population by age band and sex, with its total.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PopulationProfile {
    pub year: Option<i32>,
    pub total: i64,
    pub bands: Vec<AgeBandCount>,
}

/// A provider with what it runs and how much activity it has.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderSummary {
    pub organisation: Organisation,
    pub n_services: usize,
    pub activity: i64,
}

/// The commissioner's home page.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub commissioner: Organisation,
    /// The area the commissioner is responsible for, if recorded.
    pub footprint: Option<Area>,
    pub population: PopulationProfile,
    pub deciles: Vec<DecileRow>,
    pub local_authorities: Vec<AreaSummary>,
    pub practices: Vec<PracticeList>,
    pub providers: Vec<ProviderSummary>,
}

impl Dashboard {
    pub fn registered_patients(&self) -> i64 {
        self.practices.iter().map(|p| p.registered).sum()
    }

    /// Share of the population living in the most deprived fifth of England (deciles 1–2).
    pub fn most_deprived_share(&self) -> Option<f64> {
        let total: i64 = self.deciles.iter().map(|d| d.population).sum();
        let deprived: i64 = self.deciles.iter().filter(|d| d.decile.quintile() == 1).map(|d| d.population).sum();
        (total > 0).then(|| deprived as f64 / total as f64)
    }
}

/// Everything on an organisation's page.
#[derive(Debug, Clone, PartialEq)]
pub struct OrganisationView {
    pub organisation: Organisation,
    pub parent: Option<Organisation>,
    pub children: Vec<Organisation>,
    pub services: Vec<Service>,
    pub practice_list: Option<PracticeList>,
    /// Activity by point of delivery and month; only for those allowed to see it.
    pub activity: Option<Vec<ActivitySummaryRow>>,
}

/// Everything on an area's page.
#[derive(Debug, Clone, PartialEq)]
pub struct AreaView {
    pub area: Area,
    pub ancestors: Vec<Area>,
    pub children: Vec<AreaSummary>,
    pub population: PopulationProfile,
    pub deprivation: Option<Deprivation>,
    pub deciles: Vec<DecileRow>,
}

impl App {
    /// The dashboard of the principal's own commissioner.
    pub async fn dashboard(&self, principal: &Principal) -> Result<Dashboard> {
        authorize(Some(principal), &Action::ViewCommissionerDashboard)?;
        let commissioner = self.commissioner_of(principal).await?;
        let year = self.store().latest_population_year().await?;
        let footprint_code = self.store().footprint(&commissioner.code).await?;
        let footprint = match &footprint_code {
            Some(code) => Some(self.store().area(code).await?),
            None => None,
        };
        let (population, deciles, local_authorities) = match (&footprint_code, year) {
            (Some(code), Some(year)) => (
                self.population_profile(code, year).await?,
                self.store().deciles_within(code, year).await?,
                self.store().area_summaries(Some(code), Some(AreaKind::LocalAuthority), year).await?,
            ),
            _ => (PopulationProfile::default(), Vec::new(), Vec::new()),
        };
        let practices = self.store().practice_lists(Some(&commissioner.code)).await?;
        let providers = self.provider_summaries(Some(&commissioner.code)).await?;
        Ok(Dashboard { commissioner, footprint, population, deciles, local_authorities, practices, providers })
    }

    /// Organisations, optionally of one kind, under one parent, or matching a search.
    pub async fn organisations(
        &self,
        principal: &Principal,
        kind: Option<OrgKind>,
        parent: Option<OdsCode>,
        search: Option<String>,
    ) -> Result<Vec<Organisation>> {
        authorize(Some(principal), &Action::ViewReferenceData)?;
        Ok(self.store().organisations(&OrgFilter { kind, parent, search }).await?)
    }

    /// The area the principal's commissioner is responsible for, if recorded.
    pub async fn footprint_of(&self, principal: &Principal) -> Result<Option<AreaCode>> {
        match self.commissioner_of(principal).await {
            Ok(commissioner) => Ok(self.store().footprint(&commissioner.code).await?),
            Err(AppError::NotFound) => Ok(None),
            Err(error) => Err(error),
        }
    }

    pub async fn organisation(&self, principal: &Principal, code: &OdsCode) -> Result<OrganisationView> {
        authorize(Some(principal), &Action::ViewReferenceData)?;
        let organisation = self.store().organisation(code).await?;
        let parent = match &organisation.parent {
            Some(parent) => match self.store().organisation(parent).await {
                Ok(parent) => Some(parent),
                Err(StoreError::NotFound) => None,
                Err(error) => return Err(error.into()),
            },
            None => None,
        };
        let children =
            self.store().organisations(&OrgFilter { parent: Some(code.clone()), ..Default::default() }).await?;
        let services = self.store().services(Some(code)).await?;
        let practice_list = if organisation.kind == OrgKind::GpPractice {
            self.store().practice_lists(None).await?.into_iter().find(|list| list.code == *code)
        } else {
            None
        };
        // Activity belongs to the provider: others outside the commissioner do not see it.
        let activity = if organisation.kind == OrgKind::Provider
            && authorize(Some(principal), &Action::ViewOwnedBy(code.clone())).is_ok()
        {
            Some(self.store().activity_summary(Some(code)).await?)
        } else {
            None
        };
        Ok(OrganisationView { organisation, parent, children, services, practice_list, activity })
    }

    /// Areas below `parent`, or all areas of `kind`.
    pub async fn areas(
        &self,
        principal: &Principal,
        parent: Option<&AreaCode>,
        kind: Option<AreaKind>,
    ) -> Result<Vec<AreaSummary>> {
        authorize(Some(principal), &Action::ViewReferenceData)?;
        if parent.is_none() && kind.is_none() {
            return Err(AppError::Invalid("Choose a parent area or a kind of area".into()));
        }
        let year = self.store().latest_population_year().await?.unwrap_or(0);
        Ok(self.store().area_summaries(parent, kind, year).await?)
    }

    pub async fn area(&self, principal: &Principal, code: &AreaCode) -> Result<AreaView> {
        authorize(Some(principal), &Action::ViewReferenceData)?;
        let area = self.store().area(code).await?;
        let ancestors = self.store().ancestors(code).await?;
        let year = self.store().latest_population_year().await?;
        let (children, population, deciles) = match year {
            Some(year) => (
                self.store().area_summaries(Some(code), None, year).await?,
                self.population_profile(code, year).await?,
                self.store().deciles_within(code, year).await?,
            ),
            None => (Vec::new(), PopulationProfile::default(), Vec::new()),
        };
        let deprivation = if area.kind() == AreaKind::Lsoa { self.store().deprivation(code).await? } else { None };
        Ok(AreaView { area, ancestors, children, population, deprivation, deciles })
    }

    /// Activity by provider, point of delivery and month: all providers for the commissioner
    /// side, only its own for a provider.
    pub async fn activity_summary(&self, principal: &Principal) -> Result<Vec<ActivitySummaryRow>> {
        if principal.is_commissioner_side() {
            return Ok(self.store().activity_summary(None).await?);
        }
        authorize(Some(principal), &Action::ViewOwnedBy(principal.organisation.clone()))?;
        Ok(self.store().activity_summary(Some(&principal.organisation)).await?)
    }

    /// Every provider with its services (the Procure page).
    pub async fn providers(&self, principal: &Principal) -> Result<Vec<(Organisation, Vec<Service>)>> {
        authorize(Some(principal), &Action::ViewStage(commissioning::access::Stage::Procure))?;
        let providers =
            self.store().organisations(&OrgFilter { kind: Some(OrgKind::Provider), ..Default::default() }).await?;
        let services = self.store().services(None).await?;
        Ok(providers
            .into_iter()
            .map(|provider| {
                let own = services.iter().filter(|s| s.provider == provider.code).cloned().collect();
                (provider, own)
            })
            .collect())
    }

    /// Providers, with service counts and activity (for the dashboard).
    pub async fn provider_summaries(&self, parent: Option<&OdsCode>) -> Result<Vec<ProviderSummary>> {
        let providers = self
            .store()
            .organisations(&OrgFilter { kind: Some(OrgKind::Provider), parent: parent.cloned(), ..Default::default() })
            .await?;
        let services = self.store().services(None).await?;
        let activity = self.store().activity_summary(None).await?;
        Ok(providers
            .into_iter()
            .map(|organisation| ProviderSummary {
                n_services: services.iter().filter(|s| s.provider == organisation.code).count(),
                activity: activity.iter().filter(|a| a.provider == organisation.code).map(|a| a.activity).sum(),
                organisation,
            })
            .collect())
    }

    /// Records the area a commissioner is responsible for.
    pub async fn set_footprint(&self, actor: &Actor, commissioner: &OdsCode, area: &AreaCode) -> Result<()> {
        let before = self.store().footprint(commissioner).await?;
        let mut tx = self.store().begin().await?;
        tx.set_footprint(commissioner, area).await.map_err(|error| match error {
            StoreError::Conflict { .. } => AppError::Invalid(format!("{commissioner} or {area} is not known")),
            other => other.into(),
        })?;
        tx.audit(
            &AuditEntry {
                actor: actor.audit_name(),
                organisation: actor.organisation(),
                action: "set_footprint".into(),
                object_type: "organisation".into(),
                object_id: commissioner.to_string(),
                before: before.map(|code| serde_json::json!({ "footprint": code.to_string() })),
                after: Some(serde_json::json!({ "footprint": area.to_string() })),
            },
            now_millis(),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// The commissioner a principal works for: their own organisation when it is a
    /// commissioner, else the commissioner above it.
    async fn commissioner_of(&self, principal: &Principal) -> Result<Organisation> {
        let own = self.store().organisation(&principal.organisation).await?;
        if own.kind == OrgKind::Commissioner {
            return Ok(own);
        }
        match &own.parent {
            Some(parent) => Ok(self.store().organisation(parent).await?),
            None => Err(AppError::NotFound),
        }
    }

    async fn population_profile(&self, area: &AreaCode, year: i32) -> Result<PopulationProfile> {
        let rows: Vec<PopulationRow> = self.store().population_within(area, year).await?;
        let bands = AgeBand::all()
            .map(|band| {
                let count =
                    |sex: Sex| rows.iter().filter(|r| r.age_band == band && r.sex == sex).map(|r| r.persons).sum();
                AgeBandCount { band, male: count(Sex::Male), female: count(Sex::Female) }
            })
            .collect();
        Ok(PopulationProfile { year: Some(year), total: rows.iter().map(|r| r.persons).sum(), bands })
    }
}
